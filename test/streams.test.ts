// Streams: the recorded scenario (XADD, XRANGE, XDEL, XTRIM with node-exact `~`, XSETID, XREAD,
// consumer groups, XINFO), then what a scenario cannot record: blocked readers woken by XADD,
// `$` meaning the last ID when the reader blocked, XREADGROUP woken with NOGROUP when its key or
// group goes, timeouts, CLIENT UNBLOCK, times in XPENDING/XINFO, and ioredis's stream API.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { bulk, err, errorLine, int, OK, RawClient, replayScenario, startServer, untilBlocked } from './helpers.js';

const server = await startServer();
const main = await RawClient.connect(server.port);
const redis = new Redis(server.port, '127.0.0.1', { lazyConnect: false });
afterAll(async () => {
  main.close();
  await redis.quit();
});

describe('recorded from redis-server', async () => {
  const recorded = await startServer();
  it('answers test/scenarios/streams.txt as redis-server does', () => replayScenario(recorded.port, 'streams', {
    'HELLO 3': 'the server\'s version (7.0.15 there, 7.2.4 here) and the client id',
    'HELLO 2': 'the server\'s version and the client id',
    'XSETID x 1-0': '7.2 checks max_deleted_entry_id before the top item (7.0 the other way round)',
    'XREAD STREAMS r1 r2 0': '7.2 names the command as \'xread\' in the Unbalanced error (7.0: XREAD)',
    'XGROUP HELP': '7.2 ends help with "Print this help." (7.0: "Prints")',
    'XINFO HELP': '7.2 ends help with "Print this help." (7.0: "Prints")',
  }), 60000);
});

describe('blocking reads', () => {
  it('XREAD BLOCK with $ waits for the next entry, not for what was already there', async () => {
    await redis.del('b1');
    await redis.xadd('b1', '1-0', 'a', '1');
    const w = await RawClient.connect(server.port);
    w.write('*6\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n$2\r\nb1\r\n$1\r\n$\r\n');
    await untilBlocked(main, 1);
    // A write to another key, and a list push to a key it does not wait on, do not wake it.
    await redis.xadd('other', '1-0', 'x', '1');
    await redis.xadd('b1', '2-0', 'a', '2');
    const got = await w.waitMatch(/a\r\n\$1\r\n2\r\n$/);
    expect(got).toBe('*1\r\n*2\r\n$2\r\nb1\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\na\r\n$1\r\n2\r\n');
    w.close();
  });

  it('every reader blocked on a stream gets the new entry (data stays in a stream)', async () => {
    await redis.del('b2');
    const readers = await Promise.all([0, 1, 2].map(() => RawClient.connect(server.port)));
    for (const r of readers) r.write('*6\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n$2\r\nb2\r\n$1\r\n$\r\n');
    await untilBlocked(main, 3);
    await redis.xadd('b2', '5-0', 'k', 'v');
    for (const r of readers) {
      expect(await r.waitMatch(/5-0/)).toContain('$3\r\n5-0\r\n');
      r.close();
    }
    await untilBlocked(main, 0);
  });

  it('a list pushed at the key does not wake a stream reader; the key becoming a stream does', async () => {
    await redis.del('b3');
    const w = await RawClient.connect(server.port);
    w.write('*6\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n$2\r\nb3\r\n$1\r\n0\r\n');
    await untilBlocked(main, 1);
    await redis.lpush('b3', 'x');
    await main.call('PING');
    expect(w.received).toBe('');
    await untilBlocked(main, 1);
    await redis.del('b3');
    await redis.xadd('b3', '1-0', 'c', '1');
    expect(await w.waitMatch(/1-0/)).toContain('$2\r\nb3\r\n');
    w.close();
  });

  it('times out with a null array, and CLIENT UNBLOCK ends it early', async () => {
    const w = await RawClient.connect(server.port);
    expect(await w.call('XREAD', 'BLOCK', '30', 'STREAMS', 'b4', '$')).toBe('*-1\r\n');
    const id = (await w.call('CLIENT', 'ID')).slice(1, -2);
    w.write('*6\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n$2\r\nb4\r\n$1\r\n$\r\n');
    await untilBlocked(main, 1);
    const before = w.received.length;
    expect(await main.call('CLIENT', 'UNBLOCK', id, 'ERROR')).toBe(int(1));
    await w.waitBytes(before + 1);
    expect(w.received.slice(before)).toBe(errorLine('UNBLOCKED client unblocked via CLIENT UNBLOCK'));
    w.close();
  });

  it('XREADGROUP BLOCK gets new entries once, and is woken with NOGROUP when its group or key goes', async () => {
    await redis.del('g1');
    await redis.xgroup('CREATE', 'g1', 'grp', '$', 'MKSTREAM');
    const a = await RawClient.connect(server.port);
    const b = await RawClient.connect(server.port);
    const cmd = (who: string) => ['XREADGROUP', 'GROUP', 'grp', who, 'BLOCK', '0', 'STREAMS', 'g1', '>'];
    a.write(Buffer.from(`*9\r\n${cmd('a').map(bulk).join('')}`, 'latin1'));
    b.write(Buffer.from(`*9\r\n${cmd('b').map(bulk).join('')}`, 'latin1'));
    await untilBlocked(main, 2);
    await redis.xadd('g1', '1-0', 'f', 'v');
    // The first waiter gets the entry; the second finds nothing new and keeps waiting.
    expect(await a.waitMatch(/1-0/)).toContain('$3\r\n1-0\r\n');
    await untilBlocked(main, 1);
    expect(await redis.xpending('g1', 'grp')).toEqual([1, '1-0', '1-0', [['a', '1']]]);
    await redis.xgroup('DESTROY', 'g1', 'grp');
    expect(await b.waitMatch(/NOGROUP/)).toBe(errorLine("NOGROUP No such key 'g1' or consumer group 'grp' in XREADGROUP with GROUP option"));
    await redis.xgroup('CREATE', 'g1', 'grp', '$');
    const c = await RawClient.connect(server.port);
    c.write(Buffer.from(`*9\r\n${cmd('c').map(bulk).join('')}`, 'latin1'));
    await untilBlocked(main, 1);
    await redis.del('g1');
    expect(await c.waitMatch(/NOGROUP/)).toContain("No such key 'g1'");
    for (const x of [a, b, c]) x.close();
  });

  it('inside MULTI and from a script BLOCK does not block', async () => {
    expect(await main.call('MULTI')).toBe(OK);
    await main.call('XREAD', 'BLOCK', '0', 'STREAMS', 'nothing', '$');
    expect(await main.call('EXEC')).toBe('*1\r\n*-1\r\n');
    expect(await main.call('EVAL', "return redis.pcall('XREAD', 'BLOCK', '0', 'STREAMS', 'nothing', '$')", '0')).toBe(
      err('XREAD command is not allowed with BLOCK option from scripts'),
    );
  });
});

describe('times and counters', () => {
  it('XPENDING extended form and XINFO CONSUMERS report idle times and delivery counts', async () => {
    await redis.del('t1');
    await redis.xadd('t1', '1-0', 'a', '1');
    await redis.xadd('t1', '2-0', 'a', '2');
    await redis.xgroup('CREATE', 't1', 'g', '0');
    await redis.xreadgroup('GROUP', 'g', 'alice', 'STREAMS', 't1', '>');
    await redis.xreadgroup('GROUP', 'g', 'alice', 'STREAMS', 't1', '0');
    const rows = (await redis.xpending('t1', 'g', '-', '+', 10)) as [string, string, number, number][];
    expect(rows.map((r) => [r[0], r[1], r[3]])).toEqual([['1-0', 'alice', 2], ['2-0', 'alice', 2]]);
    for (const r of rows) expect(r[2]).toBeGreaterThanOrEqual(0);
    // IDLE filters out entries delivered less than that many ms ago.
    expect(await redis.xpending('t1', 'g', 'IDLE', 100000, '-', '+', 10)).toEqual([]);
    const consumers = (await redis.xinfo('CONSUMERS', 't1', 'g')) as unknown[][];
    expect(consumers).toHaveLength(1);
    const c = consumers[0]!;
    expect(c.slice(0, 4)).toEqual(['name', 'alice', 'pending', 2]);
    expect(c[4]).toBe('idle');
    expect(c[6]).toBe('inactive');
    expect(Number(c[7])).toBeGreaterThanOrEqual(0);
    // XCLAIM with TIME sets the delivery time; IDLE sets it relative to now.
    const claimed = await redis.xclaim('t1', 'g', 'bob', 0, '1-0', 'TIME', 1000, 'JUSTID');
    expect(claimed).toEqual(['1-0']);
    const full = (await redis.xinfo('STREAM', 't1', 'FULL')) as unknown[];
    const groups = full[full.indexOf('groups') + 1] as unknown[][];
    const pending = groups[0]![groups[0]!.indexOf('pending') + 1] as unknown[][];
    expect(pending[0]).toEqual(['1-0', 'bob', 1000, 2]);
  });

  it('XAUTOCLAIM moves idle entries in PEL order and reports deleted ones', async () => {
    await redis.del('t2');
    for (let i = 1; i <= 5; i++) await redis.xadd('t2', `${i}-0`, 'n', String(i));
    await redis.xgroup('CREATE', 't2', 'g', '0');
    await redis.xreadgroup('GROUP', 'g', 'a', 'STREAMS', 't2', '>');
    await redis.xdel('t2', '3-0');
    const r = (await redis.xautoclaim('t2', 'g', 'b', 0, '0', 'COUNT', 3)) as [string, [string, string[]][], string[]];
    expect(r[0]).toBe('4-0');
    expect(r[1].map((e) => e[0])).toEqual(['1-0', '2-0']);
    expect(r[2]).toEqual(['3-0']);
    expect(await redis.xpending('t2', 'g')).toEqual([4, '1-0', '5-0', [['a', '2'], ['b', '2']]]);
  });
});

describe('client libraries', () => {
  it('ioredis: xadd with MAXLEN ~, xrange, xread with $ blocking, consumer group round trip', async () => {
    await redis.del('io');
    const ids: string[] = [];
    for (let i = 0; i < 250; i++) ids.push((await redis.xadd('io', 'MAXLEN', '~', '100', '*', 'i', String(i)))!);
    // Approximate trimming removes whole nodes of 100 entries: never below the threshold.
    const len = await redis.xlen('io');
    expect(len).toBeGreaterThanOrEqual(100);
    expect(len).toBeLessThan(250);
    const range = await redis.xrange('io', '-', '+', 'COUNT', 2);
    expect(range).toHaveLength(2);
    expect(range[0]![1]).toEqual(['i', String(250 - len)]);
    const reader = new Redis(server.port, '127.0.0.1');
    const pending = reader.xread('BLOCK', 0, 'STREAMS', 'io', '$');
    await untilBlocked(main, 1);
    const newId = await redis.xadd('io', '*', 'i', 'new');
    expect(await pending).toEqual([['io', [[newId, ['i', 'new']]]]]);
    await redis.xgroup('CREATE', 'io', 'workers', '0');
    const batch = (await reader.xreadgroup('GROUP', 'workers', 'w1', 'COUNT', 10, 'STREAMS', 'io', '>')) as [string, [string, string[]][]][];
    expect(batch[0]![1]).toHaveLength(10);
    expect(await reader.xack('io', 'workers', ...batch[0]![1].map((e) => e[0]))).toBe(10);
    expect((await reader.xpending('io', 'workers'))[0]).toBe(0);
    await reader.quit();
  });

  it('keeps entries byte for byte, and COPY, DEBUG DIGEST-VALUE and MEMORY USAGE know streams', async () => {
    const bin = Buffer.from([0, 1, 2, 255, 13, 10, 0x80]);
    await redis.del('bin', 'bin2');
    await redis.xadd('bin', '1-0', bin, bin, 'n', '-12345678901234567');
    const [[, fields]] = await redis.xrangeBuffer('bin', '-', '+');
    expect(fields[0]).toEqual(bin);
    expect(fields[1]).toEqual(bin);
    expect(fields[3]!.toString()).toBe('-12345678901234567');
    expect(await redis.copy('bin', 'bin2')).toBe(1);
    expect(await redis.call('DEBUG', 'DIGEST-VALUE', 'bin')).toEqual(await redis.call('DEBUG', 'DIGEST-VALUE', 'bin2'));
    await redis.xadd('bin2', '2-0', 'a', 'b');
    expect(await redis.xlen('bin')).toBe(1);
    expect(await redis.memory('USAGE', 'bin')).toBeGreaterThan(0);
    expect(await redis.call('OBJECT', 'ENCODING', 'bin')).toBe('stream');
  });
});
