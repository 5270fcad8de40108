// HyperLogLog end to end: values byte for byte as redis-server 7.2 stores them (bytes recorded from
// a real redis-server), the cached cardinality and its invalid bit, sparse -> dense promotion at
// hll-sparse-max-bytes, PFCOUNT of several keys and PFMERGE, the errors, events, dirty counts and
// WATCH, the estimate's accuracy, and the recorded scenario replayed.
import { afterAll, describe, expect, it } from 'vitest';
import { murmurHash64A } from '../src/data/hyperloglog.js';
import { bulk, err, errorLine, int, OK, parseBulks, RawClient, replayScenario, resp, startServer } from './helpers.js';

const server = await startServer();
const client = await RawClient.connect(server.port);
afterAll(() => client.close());

const call = (...args: string[]) => client.call(...args);
const hex = (h: string) => Buffer.from(h, 'hex').toString('latin1');
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const NOT_HLL = errorLine('WRONGTYPE Key is not a valid HyperLogLog string value.');
const CORRUPT = errorLine('INVALIDOBJ Corrupted HLL object detected');
const DENSE_SIZE = 12304;
const sha1 = async (key: string) => call('EVAL', "return redis.sha1hex(redis.call('get', KEYS[1]))", '1', key);
const num = (reply: string) => Number(/^:(-?\d+)\r\n$/.exec(reply)![1]);

// Recorded from redis-server: PFADD hll a b c d e f g, then GET before and after PFCOUNT.
const OPCODES = '466d80560c80443c84388050b184498c80426d80425a';
const STALE = hex('48594c4c01000000' + '0000000000000080' + OPCODES);
const CACHED7 = hex('48594c4c01000000' + '0700000000000000' + OPCODES);

/** The 64-bit reference: MurmurHash64A written with BigInt, straight from the C. */
function murmurRef(data: Uint8Array, seed: bigint): bigint {
  const M = (1n << 64n) - 1n;
  const m = 0xc6a4a7935bd1e995n;
  let h = (seed ^ (BigInt(data.length) * m)) & M;
  const nb = data.length - (data.length & 7);
  for (let i = 0; i < nb; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(data[i + j]!);
    k = (k * m) & M;
    k ^= k >> 47n;
    k = (k * m) & M;
    h ^= k;
    h = (h * m) & M;
  }
  const rem = data.length & 7;
  for (let j = rem - 1; j >= 0; j--) h ^= BigInt(data[nb + j]!) << BigInt(8 * j);
  if (rem) h = (h * m) & M;
  h ^= h >> 47n;
  h = (h * m) & M;
  h ^= h >> 47n;
  return h;
}

describe('MurmurHash64A', () => {
  it('matches a BigInt transcription of Redis\'s C for every tail length', () => {
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    for (let len = 0; len < 200; len++) {
      const d = new Uint8Array(len).map(() => next());
      expect(murmurHash64A(d, 0xadc83b19)).toBe(murmurRef(d, 0xadc83b19n));
    }
    expect(murmurHash64A(new Uint8Array(8).fill(0xff), 0)).toBe(murmurRef(new Uint8Array(8).fill(0xff), 0n));
  });
});

describe('PFADD and PFCOUNT on the sparse encoding', () => {
  it('stores exactly the bytes redis-server stores, cache marked stale', async () => {
    expect(await call('PFADD', 'hll', 'a', 'b', 'c', 'd', 'e', 'f', 'g')).toBe(int(1));
    expect(await call('GET', 'hll')).toBe(bulk(STALE));
    expect(await call('OBJECT', 'ENCODING', 'hll')).toBe(bulk('raw'));
    expect(await call('PFDEBUG', 'ENCODING', 'hll')).toBe('+sparse\r\n');
  });

  it('PFCOUNT writes the cardinality into the header; a later change marks it stale again', async () => {
    expect(await call('PFCOUNT', 'hll')).toBe(int(7));
    expect(await call('GET', 'hll')).toBe(bulk(CACHED7));
    // No register changes: 0, and the cache stays valid.
    expect(await call('PFADD', 'hll', 'a', 'g')).toBe(int(0));
    expect(await call('GET', 'hll')).toBe(bulk(CACHED7));
    // A valid cache is answered as stored, even when it is not what the registers say.
    await call('SET', 'forged', CACHED7.slice(0, 8) + '\x2a\0\0\0\0\0\0\0' + CACHED7.slice(16));
    expect(await call('PFCOUNT', 'forged')).toBe(int(42));
    expect(await call('PFADD', 'hll', 'new element')).toBe(int(1));
    const v = (await call('GETRANGE', 'hll', '8', '15')).slice(4, -2);
    expect(v.charCodeAt(7) & 0x80).toBe(0x80);
    expect(await call('PFCOUNT', 'hll')).toBe(int(8));
  });

  it('creates the key with no elements; a missing key counts 0 and is not created', async () => {
    expect(await call('PFADD', 'empty')).toBe(int(1));
    expect(await call('PFADD', 'empty')).toBe(int(0));
    expect(await call('GET', 'empty')).toBe(bulk(hex('48594c4c01000000' + '0000000000000080' + '7fff')));
    expect(await call('PFDEBUG', 'DECODE', 'empty')).toBe(bulk('Z:16384'));
    expect(await call('PFCOUNT', 'nokey')).toBe(int(0));
    expect(await call('EXISTS', 'nokey')).toBe(int(0));
  });

  it('PFDEBUG DECODE and GETREG describe the same registers', async () => {
    await call('PFADD', 'dec', 'x', 'y', 'z', 'w');
    const ops = bulkOf(await call('PFDEBUG', 'DECODE', 'dec')).split(' ');
    const regs: number[] = [];
    for (const op of ops) {
      const [kind, rest] = op.split(':') as [string, string];
      if (kind === 'v') {
        const [val, len] = rest.split(',').map(Number) as [number, number];
        for (let i = 0; i < len; i++) regs.push(val);
      } else for (let i = 0; i < Number(rest); i++) regs.push(0);
    }
    expect(regs.length).toBe(16384);
    expect(regs.filter((r) => r > 0).length).toBe(4);
    const got = await call('PFDEBUG', 'GETREG', 'dec');
    expect(got.startsWith('*16384\r\n')).toBe(true);
    expect(got.slice(8).split('\r\n').slice(0, -1).map((l) => Number(l.slice(1)))).toEqual(regs);
    // GETREG left it dense, as Redis's does.
    expect(await call('PFDEBUG', 'ENCODING', 'dec')).toBe('+dense\r\n');
    expect(await call('STRLEN', 'dec')).toBe(int(DENSE_SIZE));
  });
});

describe('the dense encoding and promotion', () => {
  it('TODENSE, then PFADD: the same 12304 bytes as redis-server (SHA1 recorded)', async () => {
    expect(await call('PFADD', 'd')).toBe(int(1));
    expect(await call('PFDEBUG', 'TODENSE', 'd')).toBe(int(1));
    expect(await call('PFDEBUG', 'TODENSE', 'd')).toBe(int(0));
    expect(await call('PFADD', 'd', 'foo', 'bar')).toBe(int(1));
    expect(await call('PFCOUNT', 'd')).toBe(int(2));
    expect(await sha1('d')).toBe(bulk('0daaf08a811dea01a56508649b2eb54a47a7a242'));
    expect(await call('GETRANGE', 'd', '0', '15')).toBe(bulk(hex('48594c4c00000000' + '0200000000000000')));
    expect(await call('PFDEBUG', 'DECODE', 'd')).toBe(err('HLL encoding is not sparse'));
  });

  it('goes dense when a split would take the sparse value past hll-sparse-max-bytes', async () => {
    expect(await call('CONFIG', 'SET', 'hll-sparse-max-bytes', '200')).toBe(OK);
    let lastSparse = 0;
    let i = 0;
    for (; i < 1000; i++) {
      await call('PFADD', 'promo', `p${i}`);
      const len = num(await call('STRLEN', 'promo'));
      if (len === DENSE_SIZE) break;
      expect(len).toBeLessThanOrEqual(200);
      lastSparse = len;
    }
    expect(await call('PFDEBUG', 'ENCODING', 'promo')).toBe('+dense\r\n');
    expect(lastSparse).toBeGreaterThan(190);
    expect(await call('PFCOUNT', 'promo')).toBe(int(i + 1));
    expect(await call('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000')).toBe(OK);
    expect(await call('CONFIG', 'GET', 'hll-sparse-max-bytes')).toBe('*2\r\n' + bulk('hll-sparse-max-bytes') + bulk('3000'));
  });

  it('estimates 10000 elements within the standard error, to the same value and bytes as redis-server', async () => {
    for (let b = 0; b < 10; b++) {
      const els = Array.from({ length: 1000 }, (_, j) => `el${b * 1000 + j + 1}`);
      await call('PFADD', 'acc', ...els);
    }
    const card = num(await call('PFCOUNT', 'acc'));
    expect(Math.abs(card - 10000)).toBeLessThanOrEqual(Math.ceil(10000 * (1.04 / Math.sqrt(16384)) * 3));
    expect(card).toBe(10003);
    expect(await sha1('acc')).toBe(bulk('1817d294debfedee951f7e5e06d5f077c3b082db'));
  });

  it('PFSELFTEST passes', async () => {
    // A long computation: the reply may take seconds on a loaded machine.
    const start = client.received.length;
    client.write(resp('PFSELFTEST'));
    expect(await client.replyAt(start, 1, 55000)).toBe(OK);
  }, 60000);
});

describe('PFCOUNT of several keys, PFMERGE', () => {
  it('counts the union without touching the keys; missing keys are empty', async () => {
    await call('PFADD', 'u1', 'a', 'b', 'c', 'd');
    await call('PFADD', 'u2', 'c', 'd', 'e', 'f', 'g');
    const before = await call('GET', 'u1');
    expect(await call('PFCOUNT', 'u1', 'u2')).toBe(int(7));
    expect(await call('PFCOUNT', 'u1', 'nokey', 'u2')).toBe(int(7));
    expect(await call('PFCOUNT', 'nokey', 'nokey2')).toBe(int(0));
    expect(await call('GET', 'u1')).toBe(before);
  });

  it('merges into a new key, into a source, and into nothing', async () => {
    expect(await call('PFMERGE', 'dest', 'u1', 'u2')).toBe(OK);
    expect(await call('PFCOUNT', 'dest')).toBe(int(7));
    expect(await call('PFDEBUG', 'ENCODING', 'dest')).toBe('+sparse\r\n');
    expect(await call('PFMERGE', 'u1', 'u2')).toBe(OK);
    expect(await call('PFCOUNT', 'u1')).toBe(int(7));
    expect(await call('GET', 'u1')).toBe(await call('GET', 'dest'));
    expect(await call('PFMERGE', 'fresh')).toBe(OK);
    expect(await call('GET', 'fresh')).toBe(await call('GET', 'empty'));
  });

  it('a dense source makes the destination dense; PFCOUNT of the merge equals the union', async () => {
    expect(await call('PFMERGE', 'mixed', 'u2', 'acc')).toBe(OK);
    expect(await call('PFDEBUG', 'ENCODING', 'mixed')).toBe('+dense\r\n');
    expect(await call('PFCOUNT', 'mixed')).toBe(await call('PFCOUNT', 'u2', 'acc'));
  });

  it('keeps the destination\'s TTL', async () => {
    await call('PFADD', 'ttl', 'a');
    await call('EXPIRE', 'ttl', '1000');
    await call('PFADD', 'ttl', 'b');
    await call('PFCOUNT', 'ttl');
    await call('PFMERGE', 'ttl', 'u2');
    expect(num(await call('TTL', 'ttl'))).toBeGreaterThan(990);
  });
});

describe('errors', () => {
  it('another type: the usual WRONGTYPE; a string that is no HLL: its own', async () => {
    await call('LPUSH', 'list', 'a');
    expect(await call('PFADD', 'list', 'a')).toBe(WRONGTYPE);
    expect(await call('PFCOUNT', 'u2', 'list')).toBe(WRONGTYPE);
    expect(await call('PFMERGE', 'list', 'u2')).toBe(WRONGTYPE);
    await call('SET', 'str', 'notanhll');
    expect(await call('PFADD', 'str', 'a')).toBe(NOT_HLL);
    expect(await call('PFCOUNT', 'str')).toBe(NOT_HLL);
    expect(await call('PFMERGE', 'u2', 'str')).toBe(NOT_HLL);
    expect(await call('PFDEBUG', 'ENCODING', 'str')).toBe(NOT_HLL);
    // Encoding 2, and a "dense" value of the wrong length.
    await call('SET', 'enc2', hex('48594c4c02000000' + '0000000000000080' + '7fff'));
    expect(await call('PFCOUNT', 'enc2')).toBe(NOT_HLL);
    await call('SET', 'shortdense', hex('48594c4c00000000' + '0000000000000080' + '0000'));
    expect(await call('PFCOUNT', 'shortdense')).toBe(NOT_HLL);
  });

  it('sparse opcodes not covering 16384 registers: INVALIDOBJ', async () => {
    const twice = hex('48594c4c01000000' + '0000000000000080' + '7fff7fff');
    await call('SET', 'bad', twice);
    expect(await call('PFCOUNT', 'bad')).toBe(CORRUPT);
    expect(await call('PFCOUNT', 'bad', 'u2')).toBe(CORRUPT);
    expect(await call('PFMERGE', 'm', 'bad')).toBe(CORRUPT);
    expect(await call('EXISTS', 'm')).toBe(int(0));
    expect(await call('PFDEBUG', 'TODENSE', 'bad')).toBe(CORRUPT);
    expect(await call('GET', 'bad')).toBe(bulk(twice));
    await call('SET', 'short', hex('48594c4c01000000' + '0000000000000080' + '4000'));
    expect(await call('PFADD', 'short', 'a')).toBe(CORRUPT);
  });

  it('PFDEBUG: missing key, unknown subcommand, arity', async () => {
    expect(await call('PFDEBUG', 'ENCODING', 'nokey')).toBe(err('The specified key does not exist'));
    expect(await call('PFDEBUG', 'Nope', 'u2')).toBe(err("Unknown PFDEBUG subcommand 'Nope'"));
    expect(await call('PFDEBUG', 'ENCODING')).toBe(err("wrong number of arguments for 'pfdebug' command"));
    expect(await call('PFADD')).toBe(err("wrong number of arguments for 'pfadd' command"));
    expect(await call('PFSELFTEST', 'x')).toBe(err("wrong number of arguments for 'pfselftest' command"));
  });
});

describe('events, dirty counting, WATCH', () => {
  it('PFADD and PFMERGE publish "pfadd"; PFCOUNT and a PFADD that changes nothing publish nothing', async () => {
    const sub = await RawClient.connect(server.port);
    expect(await call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA')).toBe(OK);
    await sub.call('PSUBSCRIBE', '__keyevent@0__:*');
    const start = sub.received.length;
    await call('PFADD', 'ev', 'a');
    await call('PFADD', 'ev', 'a');
    await call('PFCOUNT', 'ev');
    await call('PFMERGE', 'ev', 'u2');
    await call('DEL', 'ev');
    const events = ['pfadd', 'pfadd', 'del'];
    const text = await sub.replyAt(start, events.length);
    expect([...text.matchAll(/__keyevent@0__:([a-z]+)\r\n\$2\r\nev/g)].map((m) => m[1])).toEqual(events);
    expect(await call('CONFIG', 'SET', 'notify-keyspace-events', '')).toBe(OK);
    sub.close();
  });

  it('dirty: PFADD counts the key created and each register changed, PFCOUNT a cache refresh', async () => {
    // server.dirty: what Redis's propagation and save points count (INFO does not show it yet).
    const changes = () => server.server.dirty;
    let before = changes();
    await call('PFADD', 'dirty', 'a', 'b', 'a');
    expect(changes()).toBe(before + 3);
    before = changes();
    await call('PFCOUNT', 'dirty');
    expect(changes()).toBe(before + 1);
    await call('PFCOUNT', 'dirty');
    await call('PFADD', 'dirty', 'a');
    expect(changes()).toBe(before + 1);
    await call('PFMERGE', 'dirty', 'u2');
    expect(changes()).toBe(before + 2);
  });

  it('a PFADD, and a PFCOUNT that refreshes the cache, abort a watching transaction', async () => {
    const other = await RawClient.connect(server.port);
    for (const change of [['PFADD', 'w', 'new'], ['PFCOUNT', 'w']]) {
      await call('PFADD', 'w', 'x');
      expect(await call('WATCH', 'w')).toBe(OK);
      await other.call(...change);
      expect(await call('MULTI')).toBe(OK);
      await call('PFCOUNT', 'w');
      expect(await call('EXEC')).toBe('*-1\r\n');
    }
    other.close();
  });
});

describe('recorded from redis-server', () => {
  it('answers test/scenarios/hyperloglog.txt as redis-server does', () => replayScenario(server.port, 'hyperloglog'), 60000);
});

function bulkOf(reply: string): string {
  return parseBulks('*1\r\n' + reply)[0]!;
}
