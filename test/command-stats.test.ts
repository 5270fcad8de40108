// What the server measures of each command: INFO commandstats (calls, usec, failed and rejected
// calls), errorstats, latencystats and LATENCY HISTOGRAM (latency-tracking), the slow log, the
// latency monitor, plus TIME and COMMAND GETKEYSANDFLAGS. test/scenarios/stats.txt diffs the
// reply shapes against redis-server. Durations are only checked to be measured (> 0, or at
// least the DEBUG SLEEP asked for), never against a ceiling.
import { describe, expect, it } from 'vitest';
import { parseBulks, RawClient, replayScenario, startServer } from './helpers.js';

const s = await startServer();

async function client(): Promise<RawClient> {
  return RawClient.connect(s.port);
}

function stat(info: string, name: string): Map<string, number> {
  const line = info.split('\r\n').find((l) => l.startsWith(`cmdstat_${name}:`));
  const out = new Map<string, number>();
  if (!line) return out;
  for (const kv of line.slice(line.indexOf(':') + 1).split(',')) {
    const [k, v] = kv.split('=');
    out.set(k!, Number(v));
  }
  return out;
}

describe('INFO commandstats and errorstats', () => {
  it('counts calls with measured usec, failed calls (ran, replied an error) and rejected ones', async () => {
    const c = await client();
    await c.call('CONFIG', 'RESETSTAT');
    await c.call('SET', 'k', 'v');
    await c.call('SET', 'k', 'v', 'EX', '0'); // fails: invalid expire time
    await c.call('SET', 'k'); // rejected: arity
    await c.call('INCR', 'k'); // fails: not an integer
    const info = await c.call('INFO', 'commandstats');
    const set = stat(info, 'set');
    expect(set.get('calls')).toBe(2);
    expect(set.get('usec')).toBeGreaterThan(0);
    expect(set.get('usec_per_call')).toBeGreaterThan(0);
    expect(set.get('failed_calls')).toBe(1);
    expect(set.get('rejected_calls')).toBe(1);
    expect(stat(info, 'incr').get('failed_calls')).toBe(1);
    expect(await c.call('INFO', 'errorstats')).toMatch(/errorstat_ERR:count=3\r\n/);
    c.close();
  });

  it('a blocking call counts once, when it times out', async () => {
    const c = await client();
    await c.call('CONFIG', 'RESETSTAT');
    expect(await c.call('BLPOP', 'nolist', '0.05')).toBe('*-1\r\n');
    expect(stat(await c.call('INFO', 'commandstats'), 'blpop').get('calls')).toBe(1);
    c.close();
  });
});

describe('latency-tracking', () => {
  it('INFO latencystats prints the configured percentiles per command', async () => {
    const c = await client();
    await c.call('CONFIG', 'RESETSTAT');
    for (let i = 0; i < 20; i++) await c.call('PING');
    const info = await c.call('INFO', 'latencystats');
    expect(info).toMatch(/^# Latencystats\r\nlatency_percentiles_usec_ping:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r\n/m);
    await c.call('CONFIG', 'SET', 'latency-tracking-info-percentiles', '0 50.5 100');
    expect(await c.call('INFO', 'latencystats')).toMatch(/latency_percentiles_usec_ping:p0=\d+\.\d{3},p50\.5=\d+\.\d{3},p100=\d+\.\d{3}\r\n/);
    await c.call('CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 99 99.9');
    c.close();
  });

  it('LATENCY HISTOGRAM: calls and cumulative counts at power-of-two microsecond buckets', async () => {
    const c = await client();
    await c.call('CONFIG', 'RESETSTAT');
    for (let i = 0; i < 5; i++) await c.call('ECHO', 'x');
    const r = await c.call('LATENCY', 'HISTOGRAM', 'echo', 'nosuch');
    expect(r).toMatch(/^\*2\r\n\$4\r\necho\r\n\*4\r\n\$5\r\ncalls\r\n:5\r\n\$14\r\nhistogram_usec\r\n\*\d+\r\n/);
    // The last cumulative count is every call.
    expect(r.endsWith(':5\r\n')).toBe(true);
    expect(await c.call('LATENCY', 'HISTOGRAM', 'nosuch')).toBe('*0\r\n');
    await c.call('CONFIG', 'SET', 'latency-tracking', 'no');
    await c.call('CONFIG', 'RESETSTAT');
    await c.call('ECHO', 'x');
    expect(await c.call('LATENCY', 'HISTOGRAM', 'echo')).toBe('*0\r\n');
    await c.call('CONFIG', 'SET', 'latency-tracking', 'yes');
    c.close();
  });
});

describe('SLOWLOG', () => {
  it('logs commands at or over the threshold: id, time, duration, args, peer, name', async () => {
    const c = await client();
    await c.call('SLOWLOG', 'RESET');
    expect(await c.call('SLOWLOG', 'LEN')).toBe(':0\r\n');
    await c.call('CLIENT', 'SETNAME', 'slowpoke');
    await c.call('DEBUG', 'SLEEP', '0.02');
    const r = await c.call('SLOWLOG', 'GET');
    const m = /^\*1\r\n\*6\r\n:(\d+)\r\n:(\d+)\r\n:(\d+)\r\n\*3\r\n\$5\r\nDEBUG\r\n\$5\r\nSLEEP\r\n\$4\r\n0\.02\r\n\$\d+\r\n127\.0\.0\.1:\d+\r\n\$8\r\nslowpoke\r\n$/.exec(r);
    expect(m, r).not.toBeNull();
    expect(Number(m![3])).toBeGreaterThanOrEqual(20000);
    expect(Math.abs(Number(m![2]) - Date.now() / 1000)).toBeLessThan(60);
    c.close();
  });

  it('threshold 0 logs everything, -1 nothing; max-len trims; args cut at 32 and 128 bytes; AUTH redacted', async () => {
    const c = await client();
    await c.call('SLOWLOG', 'RESET');
    await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await c.call('SET', 'k', 'x'.repeat(200));
    await c.call('DEL', ...Array.from({ length: 40 }, (_, i) => `k${i}`));
    await c.call('AUTH', 'secret');
    const all = await c.call('SLOWLOG', 'GET', '-1');
    expect(all).toContain(`$147\r\n${'x'.repeat(128)}... (72 more bytes)\r\n`);
    expect(all).toContain('*32\r\n$3\r\nDEL\r\n');
    expect(all).toContain('$23\r\n... (10 more arguments)\r\n');
    expect(all).toContain('*2\r\n$4\r\nAUTH\r\n$10\r\n(redacted)\r\n');
    expect(all).not.toContain('secret');
    expect(await c.call('CONFIG', 'SET', 'slowlog-max-len', '2')).toBe('+OK\r\n');
    expect(await c.call('SLOWLOG', 'LEN')).toBe(':2\r\n');
    await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
    await c.call('SLOWLOG', 'RESET');
    await c.call('PING');
    expect(await c.call('SLOWLOG', 'LEN')).toBe(':0\r\n');
    await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
    await c.call('CONFIG', 'SET', 'slowlog-max-len', '128');
    expect(await c.call('SLOWLOG', 'GET', '-2')).toBe('-ERR count should be greater than or equal to -1\r\n');
    expect(await c.call('SLOWLOG', 'GET', '1', '2')).toBe("-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.\r\n");
    c.close();
  });
});

describe('the latency monitor', () => {
  it('records command latencies over latency-monitor-threshold: LATEST, HISTORY, RESET, DOCTOR', async () => {
    const c = await client();
    await c.call('LATENCY', 'RESET');
    expect(await c.call('LATENCY', 'DOCTOR')).toMatch(/^\$288\r\nI'm sorry, Dave, I can't do that\. Latency monitoring is disabled/);
    await c.call('CONFIG', 'SET', 'latency-monitor-threshold', '10');
    await c.call('DEBUG', 'SLEEP', '0.02');
    const latest = await c.call('LATENCY', 'LATEST');
    const m = /^\*1\r\n\*4\r\n\$7\r\ncommand\r\n:(\d+)\r\n:(\d+)\r\n:(\d+)\r\n$/.exec(latest);
    expect(m, latest).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThanOrEqual(20);
    expect(await c.call('LATENCY', 'HISTORY', 'command')).toMatch(/^\*1\r\n\*2\r\n:\d+\r\n:\d+\r\n$/);
    expect(await c.call('LATENCY', 'HISTORY', 'nosuch')).toBe('*0\r\n');
    expect(await c.call('LATENCY', 'DOCTOR')).toMatch(/Dave, I have observed latency spikes in this Redis instance\. You don't mind talking about it, do you Dave\?\n\n1\. command: 1 latency spikes \(average \d+ms, mean deviation 0ms, period [\d.]+ sec\)\. Worst all time event \d+ms\.\n/);
    expect(await c.call('LATENCY', 'GRAPH', 'nosuch')).toBe("-ERR No samples available for event 'nosuch'\r\n");
    expect(await c.call('LATENCY', 'RESET', 'command', 'nosuch')).toBe(':1\r\n');
    expect(await c.call('LATENCY', 'LATEST')).toBe('*0\r\n');
    await c.call('CONFIG', 'SET', 'latency-monitor-threshold', '0');
    c.close();
  });
});

describe('TIME and COMMAND GETKEYSANDFLAGS', () => {
  it('TIME: seconds and microseconds as two bulk strings', async () => {
    const c = await client();
    const [sec, usec] = parseBulks(await c.call('TIME'));
    expect(Math.abs(Number(sec) - Date.now() / 1000)).toBeLessThan(60);
    expect(Number(usec)).toBeGreaterThanOrEqual(0);
    expect(Number(usec)).toBeLessThan(1e6);
    expect(await c.call('TIME', 'x')).toBe("-ERR wrong number of arguments for 'time' command\r\n");
    c.close();
  });

  it('GETKEYSANDFLAGS: each key with its key-spec flags, variable flags resolved', async () => {
    const c = await client();
    expect(await c.call('COMMAND', 'GETKEYSANDFLAGS', 'set', 'k', 'v')).toBe('*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update\r\n');
    expect(await c.call('COMMAND', 'GETKEYSANDFLAGS', 'set', 'k', 'v', 'get')).toBe('*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n');
    expect(await c.call('COMMAND', 'GETKEYSANDFLAGS', 'lmove', 'a', 'b', 'left', 'right')).toBe(
      '*2\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+delete\r\n*2\r\n$1\r\nb\r\n*2\r\n+RW\r\n+insert\r\n');
    expect(await c.call('COMMAND', 'GETKEYSANDFLAGS', 'get')).toBe("-ERR wrong number of arguments for 'command|getkeysandflags' command\r\n");
    expect(await c.call('COMMAND', 'GETKEYSANDFLAGS', 'nosuch', 'x')).toBe('-ERR Invalid command specified\r\n');
    const c3 = await client();
    await c3.call('HELLO', '3');
    expect(await c3.call('COMMAND', 'GETKEYSANDFLAGS', 'get', 'k')).toBe('*1\r\n*2\r\n$1\r\nk\r\n~2\r\n+RO\r\n+access\r\n');
    c3.close();
    c.close();
  });
});

describe('recorded from redis-server', async () => {
  const recorded = await startServer();
  it('answers test/scenarios/stats.txt as redis-server does', () => replayScenario(recorded.port, 'stats'), 60000);
});
