// What the server measures of each command: INFO commandstats (calls, usec, failed and rejected
// calls) and errorstats. test/scenarios/stats.txt diffs the reply shapes against redis-server
// (LATENCY and SLOWLOG are tested in latency.test.ts and slowlog.test.ts). Durations are only
// checked to be measured (> 0), never against a ceiling.
import { describe, expect, it } from 'vitest';
import { RawClient, replayScenario, startServer } from './helpers.js';

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

describe('recorded from redis-server', async () => {
  const recorded = await startServer();
  it('answers test/scenarios/stats.txt as redis-server does', () => replayScenario(recorded.port, 'stats'), 60000);
});
