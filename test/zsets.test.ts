// The sorted set commands end to end: byte-exact replies and errors over raw sockets as Redis
// 7.2 answers them (RESP2 and RESP3 shapes), WRONGTYPE, key deletion when a set empties, the
// encodings, keyspace notifications, the blocking pops (served at once, timed out, woken by
// ZADD and by a STORE command, inside MULTI) and ioredis as a client.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { bulk, bulks, err, int, RawClient, replayScenario, resp, startServer, untilBlocked } from './helpers.js';

const server = await startServer();
const client = await RawClient.connect(server.port);
const r3 = await RawClient.connect(server.port);
const others: RawClient[] = [client, r3];
afterAll(() => {
  for (const c of others) c.close();
});
await r3.call('HELLO', '3');

async function connection(): Promise<RawClient> {
  const c = await RawClient.connect(server.port);
  others.push(c);
  return c;
}

const call = (...args: string[]): Promise<string> => client.call(...args);
const call3 = (...args: string[]): Promise<string> => r3.call(...args);
const dbl = (s: string): string => `,${s}\r\n`;
const pair3 = (m: string, s: string): string => `*2\r\n${bulk(m)}${dbl(s)}`;

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const NULL_BULK = '$-1\r\n';
const NULL_ARRAY = '*-1\r\n';
const EMPTY = '*0\r\n';

describe('ZADD and ZINCRBY', () => {
  it('adds and updates, replying the number added (CH: added or changed)', async () => {
    expect(await call('ZADD', 'za', '1', 'a', '2', 'b', '3', 'c')).toBe(int(3));
    expect(await call('ZADD', 'za', '1', 'a')).toBe(int(0));
    expect(await call('ZADD', 'za', 'CH', '5', 'a', '2', 'b', '9', 'new')).toBe(int(2));
    expect(await call('ZRANGE', 'za', '0', '-1', 'WITHSCORES')).toBe(bulks('b', '2', 'c', '3', 'a', '5', 'new', '9'));
    expect(await call('ZCARD', 'za')).toBe(int(4));
  });
  it('NX, XX, GT and LT decide which pairs apply', async () => {
    await call('ZADD', 'zo', '5', 'a');
    expect(await call('ZADD', 'zo', 'NX', '1', 'a', '2', 'b')).toBe(int(1));
    expect(await call('ZADD', 'zo', 'XX', 'CH', '6', 'a', '7', 'c')).toBe(int(1));
    expect(await call('ZADD', 'zo', 'GT', 'CH', '1', 'a', '8', 'b', '3', 'd')).toBe(int(2));
    expect(await call('ZADD', 'zo', 'LT', 'CH', '9', 'a', '1', 'b')).toBe(int(1));
    expect(await call('ZADD', 'zo', 'XX', 'GT', 'CH', '100', 'a', '100', 'zz')).toBe(int(1));
    expect(await call('ZRANGE', 'zo', '0', '-1', 'WITHSCORES')).toBe(bulks('b', '1', 'd', '3', 'a', '100'));
  });
  it('rejects incompatible options, odd pairs and bad scores before changing anything', async () => {
    expect(await call('ZADD', 'zo', 'NX', 'XX', '1', 'a')).toBe(err('XX and NX options at the same time are not compatible'));
    for (const opts of [['NX', 'GT'], ['NX', 'LT'], ['GT', 'LT']]) {
      expect(await call('ZADD', 'zo', ...opts, '1', 'a')).toBe(err('GT, LT, and/or NX options at the same time are not compatible'));
    }
    expect(await call('ZADD', 'zo', 'INCR', '1', 'a', '2', 'b')).toBe(err('INCR option supports a single increment-element pair'));
    expect(await call('ZADD', 'zo', '1', 'a', '2')).toBe(err('syntax error'));
    expect(await call('ZADD', 'zo', 'nx', 'ch')).toBe(err('syntax error'));
    for (const bad of ['x', 'nan', '1e400', '-1e400', '1e-400', ' 1', '1 ', '']) {
      expect(await call('ZADD', 'zo', '1', 'q', bad, 'a'), bad).toBe(err('value is not a valid float'));
    }
    expect(await call('ZSCORE', 'zo', 'q')).toBe(NULL_BULK);
    expect(await call('ZADD', 'zo')).toBe(err("wrong number of arguments for 'zadd' command"));
  });
  it('reads scores with strtod: inf, hex, exponents; -0 is stored as 0', async () => {
    expect(await call('ZADD', 'zf', 'inf', 'a', '-inf', 'b', '+INFINITY', 'c', '0x10', 'd', '.5', 'e', '5.', 'f', '-0', 'g')).toBe(int(7));
    expect(await call('ZRANGE', 'zf', '0', '-1', 'WITHSCORES')).toBe(
      bulks('b', '-inf', 'g', '0', 'e', '0.5', 'f', '5', 'd', '16', 'a', 'inf', 'c', 'inf'),
    );
  });
  it('INCR and ZINCRBY reply the new score, or null when nothing was done', async () => {
    await call('ZADD', 'zi', '1', 'a');
    expect(await call('ZADD', 'zi', 'INCR', '2.5', 'a')).toBe(bulk('3.5'));
    expect(await call('ZINCRBY', 'zi', '1', 'b')).toBe(bulk('1'));
    expect(await call('ZADD', 'zi', 'INCR', 'NX', '5', 'a')).toBe(NULL_BULK);
    expect(await call('ZADD', 'zi', 'INCR', 'XX', '5', 'nosuch')).toBe(NULL_BULK);
    expect(await call('ZADD', 'zi', 'INCR', 'GT', '-1', 'a')).toBe(NULL_BULK);
    expect(await call('ZADD', 'zi', 'INCR', 'LT', '-1', 'a')).toBe(bulk('2.5'));
    expect(await call('ZINCRBY', 'zi', '0.1', 'c')).toBe(bulk('0.1'));
    expect(await call('ZINCRBY', 'zi', '0.2', 'c')).toBe(bulk('0.30000000000000004'));
    expect(await call3('ZINCRBY', 'zi', '1', 'a')).toBe(dbl('3.5'));
    expect(await call3('ZADD', 'zi', 'XX', 'INCR', '1', 'nosuch')).toBe('_\r\n');
    expect(await call('ZINCRBY', 'zi', 'x', 'a')).toBe(err('value is not a valid float'));
    expect(await call('ZINCRBY', 'zi', 'nx', 'a')).toBe(err('syntax error'));
    expect(await call('ZINCRBY', 'zi', '1')).toBe(err("wrong number of arguments for 'zincrby' command"));
  });
  it('refuses an increment that makes NaN', async () => {
    await call('ZADD', 'zn', 'inf', 'a');
    expect(await call('ZINCRBY', 'zn', '-inf', 'a')).toBe(err('resulting score is not a number (NaN)'));
    expect(await call('ZSCORE', 'zn', 'a')).toBe(bulk('inf'));
  });
  it('XX on a missing key creates nothing', async () => {
    expect(await call('ZADD', 'zmissing', 'XX', '1', 'a')).toBe(int(0));
    expect(await call('ZADD', 'zmissing', 'XX', 'INCR', '1', 'a')).toBe(NULL_BULK);
    expect(await call('EXISTS', 'zmissing')).toBe(int(0));
  });
  it('keeps members byte for byte', async () => {
    expect(await call('ZADD', 'zbin', '1', 'a\0b', '2', '\xff\r\n', '3', '')).toBe(int(3));
    expect(await call('ZRANGE', 'zbin', '0', '-1')).toBe(bulks('a\0b', '\xff\r\n', ''));
    expect(await call('ZSCORE', 'zbin', '\xff\r\n')).toBe(bulk('2'));
    await call('ZADD', 'zbinlex', '0', 'a\0b', '0', 'a', '0', '\xff', '0', 'b');
    expect(await call('ZRANGEBYLEX', 'zbinlex', '(a', '[b')).toBe(bulks('a\0b', 'b'));
    expect(await call('ZRANGEBYLEX', 'zbinlex', '(b', '+')).toBe(bulks('\xff'));
  });
});

describe('reads: ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT', () => {
  it('ZSCORE and ZMSCORE reply doubles, null for missing members and keys', async () => {
    await call('ZADD', 'zr', '1', 'a', '2.5', 'b', '3', 'c', '4', 'd');
    expect(await call('ZSCORE', 'zr', 'b')).toBe(bulk('2.5'));
    expect(await call('ZSCORE', 'zr', 'x')).toBe(NULL_BULK);
    expect(await call('ZSCORE', 'nokey', 'x')).toBe(NULL_BULK);
    expect(await call('ZMSCORE', 'zr', 'a', 'x', 'b')).toBe(`*3\r\n${bulk('1')}${NULL_BULK}${bulk('2.5')}`);
    expect(await call('ZMSCORE', 'nokey', 'a')).toBe(`*1\r\n${NULL_BULK}`);
    expect(await call3('ZMSCORE', 'zr', 'a', 'x')).toBe(`*2\r\n${dbl('1')}_\r\n`);
    expect(await call('ZCARD', 'nokey')).toBe(int(0));
  });
  it('ZRANK and ZREVRANK, with 7.2\'s WITHSCORE', async () => {
    expect(await call('ZRANK', 'zr', 'a')).toBe(int(0));
    expect(await call('ZREVRANK', 'zr', 'a')).toBe(int(3));
    expect(await call('ZRANK', 'zr', 'x')).toBe(NULL_BULK);
    expect(await call('ZRANK', 'nokey', 'x')).toBe(NULL_BULK);
    expect(await call('ZRANK', 'zr', 'b', 'WITHSCORE')).toBe(`*2\r\n${int(1)}${bulk('2.5')}`);
    expect(await call('ZREVRANK', 'zr', 'b', 'withscore')).toBe(`*2\r\n${int(2)}${bulk('2.5')}`);
    expect(await call3('ZRANK', 'zr', 'b', 'WITHSCORE')).toBe(`*2\r\n${int(1)}${dbl('2.5')}`);
    expect(await call('ZRANK', 'zr', 'x', 'WITHSCORE')).toBe(NULL_ARRAY);
    expect(await call('ZRANK', 'nokey', 'x', 'WITHSCORE')).toBe(NULL_ARRAY);
    expect(await call3('ZRANK', 'nokey', 'x', 'WITHSCORE')).toBe('_\r\n');
    expect(await call('ZRANK', 'zr', 'b', 'WITHSCORES')).toBe(err('syntax error'));
    expect(await call('ZRANK', 'zr', 'b', 'WITHSCORE', 'x')).toBe(err("wrong number of arguments for 'zrank' command"));
    expect(await call('ZREVRANK', 'zr')).toBe(err("wrong number of arguments for 'zrevrank' command"));
  });
  it('ZCOUNT with inclusive and exclusive bounds as zslParseRange reads them', async () => {
    expect(await call('ZCOUNT', 'zr', '2', '3')).toBe(int(2));
    expect(await call('ZCOUNT', 'zr', '(1', '(4')).toBe(int(2));
    expect(await call('ZCOUNT', 'zr', '-inf', '+inf')).toBe(int(4));
    expect(await call('ZCOUNT', 'zr', '3', '1')).toBe(int(0));
    expect(await call('ZCOUNT', 'zr', '(1', '1')).toBe(int(0));
    expect(await call('ZCOUNT', 'zr', ' 1', '1e400')).toBe(int(4));
    expect(await call('ZCOUNT', 'zr', '', '(')).toBe(int(0));
    expect(await call('ZCOUNT', 'zr', '1 ', '2')).toBe(err('min or max is not a float'));
    expect(await call('ZCOUNT', 'zr', '1', 'nan')).toBe(err('min or max is not a float'));
    expect(await call('ZCOUNT', 'nokey', 'x', '1')).toBe(err('min or max is not a float'));
    expect(await call('ZCOUNT', 'nokey', '1', '2')).toBe(int(0));
  });
  it('ZLEXCOUNT with [, ( , - and +', async () => {
    await call('ZADD', 'zl', '0', 'a', '0', 'b', '0', 'c', '0', 'd');
    expect(await call('ZLEXCOUNT', 'zl', '-', '+')).toBe(int(4));
    expect(await call('ZLEXCOUNT', 'zl', '[b', '[c')).toBe(int(2));
    expect(await call('ZLEXCOUNT', 'zl', '(b', '[c')).toBe(int(1));
    expect(await call('ZLEXCOUNT', 'zl', '[c', '[b')).toBe(int(0));
    expect(await call('ZLEXCOUNT', 'zl', '+', '-')).toBe(int(0));
    expect(await call('ZLEXCOUNT', 'zl', '-', '-')).toBe(int(0));
    expect(await call('ZLEXCOUNT', 'zl', 'b', '+')).toBe(err('min or max not valid string range item'));
    expect(await call('ZLEXCOUNT', 'zl', '-x', '+')).toBe(err('min or max not valid string range item'));
    expect(await call('ZLEXCOUNT', 'nokey', '-', '+')).toBe(int(0));
  });
});

describe('ZREM', () => {
  it('removes members, deleting the key with the last one', async () => {
    await call('ZADD', 'zd', '1', 'a', '2', 'b', '3', 'c');
    expect(await call('ZREM', 'zd', 'a', 'x', 'a')).toBe(int(1));
    expect(await call('ZREM', 'zd', 'x')).toBe(int(0));
    expect(await call('ZREM', 'zd', 'b', 'c')).toBe(int(2));
    expect(await call('EXISTS', 'zd')).toBe(int(0));
    expect(await call('ZREM', 'nokey', 'a')).toBe(int(0));
    expect(await call('ZREM', 'zd')).toBe(err("wrong number of arguments for 'zrem' command"));
  });
});

describe('ZRANGE and the legacy range commands', () => {
  it('by rank, forwards and reversed, with index arithmetic as Redis does it', async () => {
    await call('ZADD', 'zg', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
    expect(await call('ZRANGE', 'zg', '0', '-1')).toBe(bulks('a', 'b', 'c', 'd', 'e'));
    expect(await call('ZRANGE', 'zg', '-2', '100')).toBe(bulks('d', 'e'));
    expect(await call('ZRANGE', 'zg', '-100', '0')).toBe(bulks('a'));
    expect(await call('ZRANGE', 'zg', '3', '1')).toBe(EMPTY);
    expect(await call('ZRANGE', 'zg', '5', '10')).toBe(EMPTY);
    expect(await call('ZRANGE', 'zg', '0', '1', 'REV', 'WITHSCORES')).toBe(bulks('e', '5', 'd', '4'));
    expect(await call('ZREVRANGE', 'zg', '1', '2')).toBe(bulks('d', 'c'));
    expect(await call('ZRANGE', 'nokey', '0', '-1')).toBe(EMPTY);
  });
  it('by score, with exclusive bounds, REV (max first) and LIMIT', async () => {
    expect(await call('ZRANGE', 'zg', '(2', '4', 'BYSCORE')).toBe(bulks('c', 'd'));
    expect(await call('ZRANGE', 'zg', '4', '(2', 'BYSCORE', 'REV')).toBe(bulks('d', 'c'));
    expect(await call('ZRANGE', 'zg', '-inf', '+inf', 'BYSCORE', 'LIMIT', '1', '2')).toBe(bulks('b', 'c'));
    expect(await call('ZRANGE', 'zg', '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', '1', '2', 'WITHSCORES')).toBe(bulks('d', '4', 'c', '3'));
    expect(await call('ZRANGE', 'zg', '-inf', '+inf', 'BYSCORE', 'LIMIT', '3', '-1')).toBe(bulks('d', 'e'));
    expect(await call('ZRANGE', 'zg', '-inf', '+inf', 'BYSCORE', 'LIMIT', '1', '0')).toBe(EMPTY);
    expect(await call('ZRANGE', 'zg', '-inf', '+inf', 'BYSCORE', 'LIMIT', '-1', '2')).toBe(EMPTY);
    expect(await call('ZRANGE', 'zg', '-inf', '+inf', 'BYSCORE', 'LIMIT', '5', '2')).toBe(EMPTY);
    expect(await call('ZRANGEBYSCORE', 'zg', '2', '3', 'WITHSCORES')).toBe(bulks('b', '2', 'c', '3'));
    expect(await call('ZREVRANGEBYSCORE', 'zg', '3', '2')).toBe(bulks('c', 'b'));
    expect(await call('ZREVRANGEBYSCORE', 'zg', '2', '3')).toBe(EMPTY);
  });
  it('by lex, with LIMIT, REV and the legacy forms', async () => {
    await call('ZADD', 'zx', '0', 'a', '0', 'b', '0', 'c', '0', 'd', '0', 'e');
    expect(await call('ZRANGE', 'zx', '[b', '(e', 'BYLEX')).toBe(bulks('b', 'c', 'd'));
    expect(await call('ZRANGE', 'zx', '+', '-', 'BYLEX', 'REV', 'LIMIT', '1', '2')).toBe(bulks('d', 'c'));
    expect(await call('ZRANGEBYLEX', 'zx', '-', '+', 'LIMIT', '3', '10')).toBe(bulks('d', 'e'));
    expect(await call('ZREVRANGEBYLEX', 'zx', '(c', '-')).toBe(bulks('b', 'a'));
  });
  it('WITHSCORES is pairs in RESP2 and [member, score] arrays in RESP3', async () => {
    await call('ZADD', 'z3', '1', 'a', '2.5', 'b', 'inf', 'c');
    expect(await call3('ZRANGE', 'z3', '0', '-1', 'WITHSCORES')).toBe(`*3\r\n${pair3('a', '1')}${pair3('b', '2.5')}${pair3('c', 'inf')}`);
    expect(await call3('ZRANGE', 'z3', '0', '-1')).toBe(bulks('a', 'b', 'c'));
    expect(await call('ZRANGE', 'z3', '0', '-1', 'WITHSCORES')).toBe(bulks('a', '1', 'b', '2.5', 'c', 'inf'));
  });
  it('errors: conflicting options, bad ranges, syntax', async () => {
    expect(await call('ZRANGE', 'zg', '0', '-1', 'LIMIT', '0', '1')).toBe(err('syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX'));
    expect(await call('ZRANGE', 'zg', '0', '-1', 'LIMIT', '0', '-1')).toBe(bulks('a', 'b', 'c', 'd', 'e'));
    expect(await call('ZRANGE', 'zg', '-', '+', 'BYLEX', 'WITHSCORES')).toBe(err('syntax error, WITHSCORES not supported in combination with BYLEX'));
    expect(await call('ZRANGEBYLEX', 'zg', '-', '+', 'WITHSCORES')).toBe(err('syntax error, WITHSCORES not supported in combination with BYLEX'));
    expect(await call('ZREVRANGE', 'zg', '0', '-1', 'LIMIT', '0', '1')).toBe(err('syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX'));
    expect(await call('ZRANGE', 'zg', '0', '-1', 'BYSCORE', 'BYLEX')).toBe(err('syntax error'));
    expect(await call('ZRANGE', 'zg', '0', '-1', 'REV', 'REV')).toBe(err('syntax error'));
    expect(await call('ZREVRANGE', 'zg', '0', '-1', 'REV')).toBe(err('syntax error'));
    expect(await call('ZRANGEBYSCORE', 'zg', '0', '1', 'BYSCORE')).toBe(err('syntax error'));
    expect(await call('ZRANGE', 'zg', '0', '-1', 'LIMIT', '0')).toBe(err('syntax error'));
    expect(await call('ZRANGE', 'zg', 'x', '1')).toBe(err('value is not an integer or out of range'));
    expect(await call('ZRANGE', 'zg', '0', '1', 'BYSCORE', 'LIMIT', 'x', '1')).toBe(err('value is not an integer or out of range'));
    expect(await call('ZRANGE', 'zg', 'a', 'b', 'BYSCORE')).toBe(err('min or max is not a float'));
    expect(await call('ZRANGE', 'zg', 'a', 'b', 'BYLEX')).toBe(err('min or max not valid string range item'));
    expect(await call('ZRANGE', 'nokey', 'a', 'b', 'BYLEX')).toBe(err('min or max not valid string range item'));
    expect(await call('ZRANGE', 'zg', '0')).toBe(err("wrong number of arguments for 'zrange' command"));
  });
});

describe('ZRANGESTORE', () => {
  it('stores any range, replacing the destination; an empty range deletes it', async () => {
    expect(await call('ZRANGESTORE', 'zdst', 'zg', '1', '3')).toBe(int(3));
    expect(await call('ZRANGE', 'zdst', '0', '-1', 'WITHSCORES')).toBe(bulks('b', '2', 'c', '3', 'd', '4'));
    expect(await call('ZRANGESTORE', 'zdst', 'zg', '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', '0', '2')).toBe(int(2));
    expect(await call('ZRANGE', 'zdst', '0', '-1')).toBe(bulks('d', 'e'));
    expect(await call('ZRANGESTORE', 'zdst', 'zx', '[b', '[c', 'BYLEX')).toBe(int(2));
    expect(await call('ZRANGESTORE', 'zdst', 'zg', '10', '20')).toBe(int(0));
    expect(await call('EXISTS', 'zdst')).toBe(int(0));
    await call('SET', 'zstr', 'x');
    expect(await call('ZRANGESTORE', 'zstr', 'zg', '0', '0')).toBe(int(1));
    expect(await call('TYPE', 'zstr')).toBe('+zset\r\n');
    expect(await call('ZRANGESTORE', 'zdst', 'nokey', '0', '-1')).toBe(int(0));
    expect(await call('ZRANGESTORE', 'zdst', 'zg', '0', '-1', 'WITHSCORES')).toBe(err('syntax error'));
  });
});

describe('ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX', () => {
  it('remove ranges and delete the key once empty', async () => {
    await call('ZADD', 'zrr', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f');
    expect(await call('ZREMRANGEBYRANK', 'zrr', '0', '0')).toBe(int(1));
    expect(await call('ZREMRANGEBYRANK', 'zrr', '-1', '-1')).toBe(int(1));
    expect(await call('ZREMRANGEBYRANK', 'zrr', '10', '20')).toBe(int(0));
    expect(await call('ZREMRANGEBYSCORE', 'zrr', '(2', '4')).toBe(int(2));
    expect(await call('ZRANGE', 'zrr', '0', '-1')).toBe(bulks('b', 'e'));
    expect(await call('ZREMRANGEBYSCORE', 'zrr', '-inf', '+inf')).toBe(int(2));
    expect(await call('EXISTS', 'zrr')).toBe(int(0));
    await call('ZADD', 'zrr', '0', 'a', '0', 'b', '0', 'c');
    expect(await call('ZREMRANGEBYLEX', 'zrr', '(a', '+')).toBe(int(2));
    expect(await call('ZREMRANGEBYLEX', 'zrr', '-', '+')).toBe(int(1));
    expect(await call('EXISTS', 'zrr')).toBe(int(0));
    expect(await call('ZREMRANGEBYRANK', 'nokey', '0', '-1')).toBe(int(0));
    expect(await call('ZREMRANGEBYRANK', 'zrr', 'x', '1')).toBe(err('value is not an integer or out of range'));
    expect(await call('ZREMRANGEBYSCORE', 'zrr', 'x', '1')).toBe(err('min or max is not a float'));
    expect(await call('ZREMRANGEBYLEX', 'zrr', 'x', '+')).toBe(err('min or max not valid string range item'));
  });
});

describe('ZPOPMIN, ZPOPMAX, ZMPOP', () => {
  it('pop from either end; COUNT nests pairs in RESP3 only', async () => {
    await call('ZADD', 'zp', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
    expect(await call('ZPOPMIN', 'zp')).toBe(bulks('a', '1'));
    expect(await call('ZPOPMAX', 'zp', '2')).toBe(bulks('e', '5', 'd', '4'));
    expect(await call3('ZPOPMIN', 'zp')).toBe(`*2\r\n${bulk('b')}${dbl('2')}`);
    expect(await call3('ZPOPMIN', 'zp', '1')).toBe(`*1\r\n${pair3('c', '3')}`);
    expect(await call('EXISTS', 'zp')).toBe(int(0));
    expect(await call('ZPOPMIN', 'zp')).toBe(EMPTY);
    expect(await call('ZPOPMIN', 'zp', '0')).toBe(EMPTY);
    expect(await call('ZPOPMIN', 'zp', '-1')).toBe(err('value is out of range, must be positive'));
    expect(await call('ZPOPMIN', 'zp', 'x')).toBe(err('value is out of range, must be positive'));
    expect(await call('ZPOPMIN', 'zp', '1', '2')).toBe(err('syntax error'));
  });
  it('ZMPOP pops from the first non-empty key: [key, [[member, score]...]]', async () => {
    await call('ZADD', 'zm', '1', 'a', '2', 'b', '3', 'c');
    const one = (m: string, s: string) => `*2\r\n${bulk(m)}${bulk(s)}`;
    expect(await call('ZMPOP', '2', 'nokey', 'zm', 'MIN')).toBe(`*2\r\n${bulk('zm')}*1\r\n${one('a', '1')}`);
    expect(await call('ZMPOP', '1', 'zm', 'MAX', 'COUNT', '10')).toBe(`*2\r\n${bulk('zm')}*2\r\n${one('c', '3')}${one('b', '2')}`);
    expect(await call('ZMPOP', '1', 'zm', 'MIN')).toBe(NULL_ARRAY);
    expect(await call3('ZMPOP', '1', 'zm', 'MIN')).toBe('_\r\n');
    expect(await call('ZMPOP', '0', 'zm', 'MIN')).toBe(err('numkeys should be greater than 0'));
    expect(await call('ZMPOP', 'x', 'zm', 'MIN')).toBe(err('numkeys should be greater than 0'));
    expect(await call('ZMPOP', '3', 'zm', 'MIN')).toBe(err('syntax error'));
    expect(await call('ZMPOP', '1', 'zm', 'LEFT')).toBe(err('syntax error'));
    expect(await call('ZMPOP', '1', 'zm', 'MIN', 'COUNT', '0')).toBe(err('count should be greater than 0'));
    expect(await call('ZMPOP', '1', 'zm', 'MIN', 'COUNT', '1', 'COUNT', '1')).toBe(err('syntax error'));
  });
});

describe('WRONGTYPE', () => {
  it('every command refuses another type; set operations accept plain sets', async () => {
    await call('SET', 'wt', 'x');
    const cmds: string[][] = [
      ['ZADD', 'wt', '1', 'a'], ['ZINCRBY', 'wt', '1', 'a'], ['ZREM', 'wt', 'a'], ['ZCARD', 'wt'], ['ZSCORE', 'wt', 'a'],
      ['ZMSCORE', 'wt', 'a'], ['ZRANK', 'wt', 'a'], ['ZREVRANK', 'wt', 'a'], ['ZCOUNT', 'wt', '0', '1'],
      ['ZLEXCOUNT', 'wt', '-', '+'], ['ZRANGE', 'wt', '0', '1'], ['ZRANGESTORE', 'd', 'wt', '0', '1'],
      ['ZREMRANGEBYRANK', 'wt', '0', '1'], ['ZPOPMIN', 'wt'], ['ZPOPMIN', 'wt', '0'], ['ZMPOP', '2', 'nokey', 'wt', 'MIN'],
      ['BZPOPMIN', 'nokey', 'wt', '0'], ['ZRANDMEMBER', 'wt'], ['ZRANDMEMBER', 'wt', '2'], ['ZSCAN', 'wt', '0'],
      ['ZUNION', '2', 'nokey', 'wt'], ['ZINTERSTORE', 'd', '1', 'wt'], ['ZINTERCARD', '1', 'wt'],
    ];
    for (const c of cmds) expect(await call(...c), c.join(' ')).toBe(WRONGTYPE);
    await call('RPUSH', 'wl', 'x');
    expect(await call('ZADD', 'wl', '1', 'a')).toBe(WRONGTYPE);
    expect(await call('LPUSH', 'zg', 'x')).toBe(WRONGTYPE);
  });
});

describe('ZUNION, ZINTER, ZDIFF, ZINTERCARD and the STORE forms', () => {
  it('combine with WEIGHTS and AGGREGATE; a missing key is an empty set', async () => {
    await call('ZADD', 's1', '1', 'a', '2', 'b', '3', 'c');
    await call('ZADD', 's2', '10', 'b', '20', 'c', '30', 'd');
    expect(await call('ZUNION', '2', 's1', 's2', 'WITHSCORES')).toBe(bulks('a', '1', 'b', '12', 'c', '23', 'd', '30'));
    expect(await call('ZUNION', '2', 's1', 's2', 'WEIGHTS', '2', '0.5', 'AGGREGATE', 'MAX', 'WITHSCORES')).toBe(
      bulks('a', '2', 'b', '5', 'c', '10', 'd', '15'),
    );
    expect(await call('ZINTER', '2', 's1', 's2', 'AGGREGATE', 'MIN', 'WITHSCORES')).toBe(bulks('b', '2', 'c', '3'));
    expect(await call('ZINTER', '2', 's1', 'nokey')).toBe(EMPTY);
    expect(await call('ZDIFF', '2', 's1', 's2', 'WITHSCORES')).toBe(bulks('a', '1'));
    expect(await call('ZDIFF', '2', 's1', 's1')).toBe(EMPTY);
    expect(await call('ZINTERCARD', '2', 's1', 's2')).toBe(int(2));
    expect(await call('ZINTERCARD', '2', 's1', 's2', 'LIMIT', '1')).toBe(int(1));
    expect(await call3('ZUNION', '1', 's1', 'WITHSCORES')).toBe(`*3\r\n${pair3('a', '1')}${pair3('b', '2')}${pair3('c', '3')}`);
  });
  it('plain sets count with score 1', async () => {
    await call('SADD', 'plain', 'a', 'b', 'x');
    expect(await call('ZUNION', '2', 's1', 'plain', 'WITHSCORES')).toBe(bulks('x', '1', 'a', '2', 'b', '3', 'c', '3'));
    expect(await call('ZINTER', '2', 'plain', 's2', 'WEIGHTS', '5', '1', 'WITHSCORES')).toBe(bulks('b', '15'));
    expect(await call('ZDIFF', '2', 'plain', 's1', 'WITHSCORES')).toBe(bulks('x', '1'));
  });
  it('inf + -inf sums to 0 and inf * 0 counts as 0', async () => {
    await call('ZADD', 'i1', 'inf', 'a', '-inf', 'b');
    await call('ZADD', 'i2', '-inf', 'a', 'inf', 'b');
    expect(await call('ZUNION', '2', 'i1', 'i2', 'WITHSCORES')).toBe(bulks('a', '0', 'b', '0'));
    expect(await call('ZUNION', '1', 'i1', 'WEIGHTS', '0', 'WITHSCORES')).toBe(bulks('a', '0', 'b', '0'));
  });
  it('STORE forms reply the size and replace the destination; empty results delete it', async () => {
    expect(await call('ZUNIONSTORE', 'sd', '2', 's1', 's2', 'WEIGHTS', '1', '2')).toBe(int(4));
    expect(await call('ZRANGE', 'sd', '0', '-1', 'WITHSCORES')).toBe(bulks('a', '1', 'b', '22', 'c', '43', 'd', '60'));
    expect(await call('ZINTERSTORE', 'sd', '2', 's1', 's2')).toBe(int(2));
    expect(await call('ZDIFFSTORE', 'sd', '2', 's1', 's2')).toBe(int(1));
    expect(await call('ZINTERSTORE', 'sd', '2', 's1', 'nokey')).toBe(int(0));
    expect(await call('EXISTS', 'sd')).toBe(int(0));
    expect(await call('ZUNIONSTORE', 's1', '2', 's1', 's2')).toBe(int(4));
    expect(await call('ZUNIONSTORE', 'sd', '1', 's1', 'WITHSCORES')).toBe(err('syntax error'));
  });
  it('errors in Redis\'s order: numkeys, key types, then options', async () => {
    expect(await call('ZUNION', '0', 's1')).toBe(err("at least 1 input key is needed for 'zunion' command"));
    expect(await call('ZINTERSTORE', 'd', '0', 's1')).toBe(err("at least 1 input key is needed for 'zinterstore' command"));
    expect(await call('ZINTERCARD', '0', 's1')).toBe(err("at least 1 input key is needed for 'zintercard' command"));
    expect(await call('ZUNION', 'x', 's1')).toBe(err('value is not an integer or out of range'));
    expect(await call('ZUNION', '3', 's1', 's2')).toBe(err('syntax error'));
    expect(await call('ZUNION', '2', 'wt', 's1', 'WEIGHTS', 'x')).toBe(WRONGTYPE);
    expect(await call('ZUNION', '2', 's1', 's2', 'WEIGHTS', '1', 'x')).toBe(err('weight value is not a float'));
    expect(await call('ZUNION', '2', 's1', 's2', 'WEIGHTS', '1')).toBe(err('syntax error'));
    expect(await call('ZUNION', '2', 's1', 's2', 'AGGREGATE', 'AVG')).toBe(err('syntax error'));
    expect(await call('ZDIFF', '2', 's1', 's2', 'WEIGHTS', '1', '1')).toBe(err('syntax error'));
    expect(await call('ZINTERCARD', '2', 's1', 's2', 'LIMIT', '-1')).toBe(err("LIMIT can't be negative"));
    expect(await call('ZINTERCARD', '2', 's1', 's2', 'WITHSCORES')).toBe(err('syntax error'));
  });
});

describe('ZRANDMEMBER', () => {
  it('picks members: distinct for a positive count, repeated for a negative one', async () => {
    await call('ZADD', 'zq', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
    expect(['a', 'b', 'c', 'd', 'e'].map(bulk)).toContain(await call('ZRANDMEMBER', 'zq'));
    const redis = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    try {
      for (let i = 0; i < 20; i++) {
        const three = (await redis.zrandmember('zq', 3)) as string[];
        expect(new Set(three).size).toBe(3);
        const many = (await redis.zrandmember('zq', -20)) as string[];
        expect(many.length).toBe(20);
        for (const m of many) expect('abcde').toContain(m);
        const withScores = (await redis.call('ZRANDMEMBER', 'zq', '2', 'WITHSCORES')) as string[];
        expect(withScores.length).toBe(4);
        expect(Number(withScores[1])).toBe('abcde'.indexOf(withScores[0]) + 1);
      }
    } finally {
      redis.disconnect();
    }
    // The whole set when count >= size, highest score first (the set-operation iterator order).
    expect(await call('ZRANDMEMBER', 'zq', '10', 'WITHSCORES')).toBe(bulks('e', '5', 'd', '4', 'c', '3', 'b', '2', 'a', '1'));
    expect(await call('ZRANDMEMBER', 'zq', '0')).toBe(EMPTY);
    expect(await call('ZRANDMEMBER', 'nokey')).toBe(NULL_BULK);
    expect(await call('ZRANDMEMBER', 'nokey', '3')).toBe(EMPTY);
  });
  it('range and syntax errors', async () => {
    expect(await call('ZRANDMEMBER', 'zq', 'x')).toBe(err('value is not an integer or out of range'));
    expect(await call('ZRANDMEMBER', 'zq', '1', 'WITHSCORE')).toBe(err('syntax error'));
    expect(await call('ZRANDMEMBER', 'zq', '1', 'WITHSCORES', 'x')).toBe(err('syntax error'));
    expect(await call('ZRANDMEMBER', 'zq', '-9223372036854775808')).toBe(
      err('value is out of range, value must between -9223372036854775807 and 9223372036854775807'),
    );
    expect(await call('ZRANDMEMBER', 'zq', '-9223372036854775807', 'WITHSCORES')).toBe(err('value is out of range'));
  });
});

describe('ZSCAN', () => {
  it('a small (listpack) set comes whole with cursor 0, whatever the cursor', async () => {
    expect(await call('ZSCAN', 'zg', '0')).toBe(`*2\r\n${bulk('0')}${bulks('a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5')}`);
    expect(await call('ZSCAN', 'zg', '77', 'MATCH', '[b-c]')).toBe(`*2\r\n${bulk('0')}${bulks('b', '2', 'c', '3')}`);
    expect(await call('ZSCAN', 'nokey', '0', 'COUNT', '0')).toBe(`*2\r\n${bulk('0')}${EMPTY}`);
    expect(await call('ZSCAN', 'zg', 'x')).toBe(err('invalid cursor'));
    expect(await call('ZSCAN', 'zg', ' 1')).toBe(err('invalid cursor'));
    expect(await call('ZSCAN', 'zg', '0', 'COUNT', '0')).toBe(err('syntax error'));
    expect(await call('ZSCAN', 'zg', '0', 'COUNT', 'x')).toBe(err('value is not an integer or out of range'));
    expect(await call('ZSCAN', 'zg', '0', 'TYPE', 'zset')).toBe(err('syntax error'));
  });
  it('a large set is walked by cursor; members present throughout come exactly once', async () => {
    const redis = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    try {
      const args: (string | number)[] = [];
      for (let i = 0; i < 500; i++) args.push(i + 0.1, `m${i}`);
      await redis.zadd('zbig', ...args);
      expect(await redis.object('ENCODING', 'zbig')).toBe('skiplist');
      const seen = new Map<string, number>();
      let cursor = '0';
      let rounds = 0;
      do {
        const [next, items] = (await redis.zscan('zbig', cursor, 'COUNT', 20)) as [string, string[]];
        for (let i = 0; i < items.length; i += 2) seen.set(items[i], (seen.get(items[i]) ?? 0) + 1);
        if (rounds === 1) expect(items[1]).toMatch(/^\d+\.\d{15,}$/); // "%.17g", e.g. 0.10000000000000001
        // Churn between calls: new members, removed members, changed scores.
        await redis.zadd('zbig', 1000 + rounds, `new${rounds}`);
        await redis.zrem('zbig', `m${499 - rounds}`);
        await redis.zincrby('zbig', 1000, `m${rounds}`);
        cursor = next;
        rounds++;
      } while (cursor !== '0' && rounds < 1000);
      expect(cursor).toBe('0');
      for (let i = 0; i < 500 - rounds; i++) expect(seen.get(`m${i}`), `m${i}`).toBe(1);
      for (const n of seen.values()) expect(n).toBe(1);
    } finally {
      redis.disconnect();
    }
  });
});

describe('doubles print as Redis 7.2 prints them', () => {
  it('shortest round-trip digits, integers plainly, exponents as fpconv writes them', async () => {
    await call('ZADD', 'zdbl', '0.1', 'a', '1.5e-7', 'b', '5e18', 'c', '1e100', 'd', '123456.789', 'e', '-0', 'f', '1e18', 'g');
    expect(await call('ZRANGE', 'zdbl', '0', '-1', 'WITHSCORES')).toBe(
      bulks('f', '0', 'b', '1.5e-7', 'a', '0.1', 'e', '123456.789', 'g', '1000000000000000000', 'c', '5e+18', 'd', '1e+100'),
    );
    expect(await call3('ZSCORE', 'zdbl', 'b')).toBe(dbl('1.5e-7'));
    expect(await call3('ZSCORE', 'zdbl', 'c')).toBe(dbl('5e+18'));
  });
});

describe('encodings', () => {
  it('listpack until zset-max-listpack-entries / -value, then skiplist for good', async () => {
    await call('ZADD', 'ze', '1', 'a');
    expect(await call('OBJECT', 'ENCODING', 'ze')).toBe(bulk('listpack'));
    expect(await call('CONFIG', 'SET', 'zset-max-listpack-entries', '2')).toBe('+OK\r\n');
    try {
      await call('ZADD', 'ze', '2', 'b', '3', 'c');
      expect(await call('OBJECT', 'ENCODING', 'ze')).toBe(bulk('skiplist'));
      await call('ZREM', 'ze', 'a', 'b');
      expect(await call('OBJECT', 'ENCODING', 'ze')).toBe(bulk('skiplist'));
      // A STORE result is encoded afresh from its own size.
      expect(await call('ZUNIONSTORE', 'ze2', '1', 'ze')).toBe(int(1));
      expect(await call('OBJECT', 'ENCODING', 'ze2')).toBe(bulk('listpack'));
      // ZADD with more pairs than the limit converts up front, even when nothing is added.
      await call('ZADD', 'ze3', '1', 'a');
      await call('ZADD', 'ze3', 'NX', '1', 'a', '1', 'a', '1', 'a');
      expect(await call('OBJECT', 'ENCODING', 'ze3')).toBe(bulk('skiplist'));
    } finally {
      await call('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
    }
    await call('ZADD', 'ze4', '1', 'x'.repeat(65));
    expect(await call('OBJECT', 'ENCODING', 'ze4')).toBe(bulk('skiplist'));
  });
});

describe('keyspace notifications', () => {
  it('publish Redis\'s events, "del" when a set empties', async () => {
    const sub = await connection();
    await call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    try {
      await sub.call('SUBSCRIBE', '__keyevent@0__:zadd', '__keyevent@0__:zincr', '__keyevent@0__:zrem', '__keyevent@0__:del',
        '__keyevent@0__:zpopmin', '__keyevent@0__:zunionstore', '__keyevent@0__:zremrangebyscore');
      await sub.replyAt(0, 7);
      const from = sub.received.length;
      await call('ZADD', 'zev', '1', 'a', '2', 'b');
      await call('ZADD', 'zev', 'NX', '1', 'a'); // nothing changed: no event
      await call('ZINCRBY', 'zev', '1', 'a');
      await call('ZREM', 'zev', 'a');
      await call('ZPOPMIN', 'zev');
      await call('ZADD', 'zev', '1', 'a');
      await call('ZUNIONSTORE', 'zev2', '1', 'zev');
      await call('ZREMRANGEBYSCORE', 'zev', '-inf', '+inf');
      const msg = (ev: string) => `*3\r\n${bulk('message')}${bulk(`__keyevent@0__:${ev}`)}`;
      const got = await sub.replyAt(from, 9);
      const events = got.split(/(?=\*3\r\n\$7\r\nmessage)/).map((m) => /__keyevent@0__:(\w+)/.exec(m)?.[1]);
      expect(events).toEqual(['zadd', 'zincr', 'zrem', 'zpopmin', 'del', 'zadd', 'zunionstore', 'zremrangebyscore', 'del']);
      expect(got.startsWith(msg('zadd'))).toBe(true);
    } finally {
      await call('CONFIG', 'SET', 'notify-keyspace-events', '');
    }
  });
});

describe('WATCH sees sorted sets changed in place', () => {
  it('an EXEC after another client\'s ZADD or ZINCRBY is aborted', async () => {
    const other = await connection();
    await call('ZADD', 'zw', '1', 'a');
    for (const change of [['ZADD', 'zw', '2', 'b'], ['ZINCRBY', 'zw', '1', 'a'], ['ZPOPMIN', 'zw']]) {
      await call('WATCH', 'zw');
      await other.call(...change);
      await call('MULTI');
      await call('ZCARD', 'zw');
      expect(await call('EXEC'), change.join(' ')).toBe(NULL_ARRAY);
    }
  });
});

describe('blocking pops', () => {
  it('are served at once when a key has data', async () => {
    await call('ZADD', 'zb', '1', 'a', '2', 'b', '3', 'c');
    expect(await call('BZPOPMIN', 'nokey', 'zb', '0')).toBe(bulks('zb', 'a', '1'));
    expect(await call('BZPOPMAX', 'zb', '1.5')).toBe(bulks('zb', 'c', '3'));
    expect(await call('BZMPOP', '0', '2', 'nokey', 'zb', 'MIN', 'COUNT', '5')).toBe(`*2\r\n${bulk('zb')}*1\r\n*2\r\n${bulk('b')}${bulk('2')}`);
    expect(await call('EXISTS', 'zb')).toBe(int(0));
  });
  it('timeout and syntax errors', async () => {
    expect(await call('BZPOPMIN', 'zb', 'x')).toBe(err('timeout is not a float or out of range'));
    expect(await call('BZPOPMIN', 'zb', '-1')).toBe(err('timeout is negative'));
    expect(await call('BZMPOP', '0', '0', 'zb', 'MIN')).toBe(err('numkeys should be greater than 0'));
    expect(await call('BZMPOP', 'x', '1', 'zb', 'FOO')).toBe(err('syntax error'));
    expect(await call('BZMPOP', 'x', '1', 'zb', 'MIN')).toBe(err('timeout is not a float or out of range'));
    expect(await call('BZPOPMIN', 'zb')).toBe(err("wrong number of arguments for 'bzpopmin' command"));
  });
  it('time out with a null array; inside MULTI they answer that at once', async () => {
    const c = await connection();
    expect(await c.call('BZPOPMIN', 'nokey', '0.05')).toBe(NULL_ARRAY);
    expect(await c.call('BZMPOP', '0.05', '1', 'nokey', 'MAX')).toBe(NULL_ARRAY);
    await c.call('MULTI');
    await c.call('BZPOPMAX', 'nokey', '0');
    expect(await c.call('EXEC')).toBe(`*1\r\n${NULL_ARRAY}`);
  });
  it('a blocked BZPOPMIN is woken by a ZADD from another connection', async () => {
    const waiter = await connection();
    const start = waiter.received.length;
    waiter.write(resp('BZPOPMIN', 'nokey', 'zwake', '0'));
    await untilBlocked(client, 1);
    expect(waiter.received.length).toBe(start);
    expect(await call('ZADD', 'zwake', '5', 'm', '6', 'n')).toBe(int(2));
    expect(await waiter.replyAt(start)).toBe(bulks('zwake', 'm', '5'));
    expect(await call('ZRANGE', 'zwake', '0', '-1')).toBe(bulks('n'));
    await untilBlocked(client, 0);
  });
  it('blocked clients are served in arrival order; BZMPOP takes its COUNT', async () => {
    const w1 = await connection();
    const w2 = await connection();
    const s1 = w1.received.length;
    const s2 = w2.received.length;
    w1.write(resp('BZMPOP', '0', '1', 'zq2', 'MAX', 'COUNT', '2'));
    await untilBlocked(client, 1);
    w2.write(resp('BZPOPMIN', 'zq2', '0'));
    await untilBlocked(client, 2);
    await call('ZADD', 'zq2', '1', 'a', '2', 'b', '3', 'c');
    expect(await w1.replyAt(s1)).toBe(`*2\r\n${bulk('zq2')}*2\r\n*2\r\n${bulk('c')}${bulk('3')}*2\r\n${bulk('b')}${bulk('2')}`);
    expect(await w2.replyAt(s2)).toBe(bulks('zq2', 'a', '1'));
    expect(await call('EXISTS', 'zq2')).toBe(int(0));
  });
  it('a STORE command wakes them too; another type does not', async () => {
    const waiter = await connection();
    const start = waiter.received.length;
    waiter.write(resp('BZPOPMAX', 'zq3', '0'));
    await untilBlocked(client, 1);
    await call('SET', 'zq3', 'string');
    await call('DEL', 'zq3');
    // Still blocked, so not served.
    await untilBlocked(client, 1);
    expect(waiter.received).toBe(waiter.received.slice(0, start));
    await call('ZADD', 'zsrc', '7', 'x');
    expect(await call('ZUNIONSTORE', 'zq3', '1', 'zsrc')).toBe(int(1));
    expect(await waiter.replyAt(start)).toBe(bulks('zq3', 'x', '7'));
  });
  it('ioredis: bzpopmin resolves once another client adds', async () => {
    const redis = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    try {
      const pending = redis.bzpopmin('zio', 0);
      await untilBlocked(client, 1);
      await call('ZADD', 'zio', '2', 'two', '1', 'one');
      expect(await pending).toEqual(['zio', 'one', '1']);
    } finally {
      redis.disconnect();
    }
  });
});

describe('COMMAND INFO rows', () => {
  it('arity, flags and key positions as Redis 7.2 lists them', async () => {
    const redis = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    try {
      const info = (await redis.call('COMMAND', 'INFO', 'zadd', 'zrank', 'bzpopmin', 'zrangestore', 'zunion', 'zunionstore', 'bzmpop')) as unknown[][];
      const head = info.map((r) => r.slice(0, 6));
      expect(head).toEqual([
        ['zadd', -4, ['write', 'denyoom', 'fast'], 1, 1, 1],
        ['zrank', -3, ['readonly', 'fast'], 1, 1, 1],
        ['bzpopmin', -3, ['write', 'blocking', 'fast'], 1, -2, 1],
        ['zrangestore', -5, ['write', 'denyoom'], 1, 2, 1],
        ['zunion', -3, ['readonly', 'movablekeys'], 0, 0, 0],
        ['zunionstore', -4, ['write', 'denyoom', 'movablekeys'], 1, 1, 1],
        ['bzmpop', -5, ['write', 'blocking', 'movablekeys'], 0, 0, 0],
      ]);
      expect(info[0][6]).toEqual(['@write', '@sortedset', '@fast']);
      const names = (await redis.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'sortedset')) as string[];
      expect(names.filter((n) => n.startsWith('z') || n.startsWith('bz')).length).toBe(35);
    } finally {
      redis.disconnect();
    }
  });
});

describe('recorded from redis-server', async () => {
  const recorded = await startServer();
  it('answers test/scenarios/zsets.txt as redis-server does', () => replayScenario(recorded.port, 'zsets', {
    'ZRANGE dbl 0 -1 WITHSCORES': '7.2\'s d2string prints the shortest round-trip form',
    'ZSCORE dbl a': '7.2\'s d2string',
    'ZRANK n c WITHSCORE': 'WITHSCORE is 7.2',
    'ZREVRANK n c WITHSCORE': 'WITHSCORE is 7.2',
    'ZRANK n nosuch WITHSCORE': 'WITHSCORE is 7.2',
    'ZRANK nokey a WITHSCORE': 'WITHSCORE is 7.2',
    'ZRANK n c WITHSCORES': '7.2\'s arity -3 lets it reach the syntax check',
    'COMMAND INFO zrank zrevrank bzpopmin bzpopmax': '7.2\'s arities and flags',
  }), 60000);
});
