// The LATENCY family: per-command latency histograms (latency-tracking: INFO latencystats, LATENCY
// HISTOGRAM) and the latency monitor (LATEST, HISTORY, RESET, DOCTOR, GRAPH). Durations are only
// checked to be at least the DEBUG SLEEP asked for, never against a ceiling.
import { describe, expect, it } from 'vitest';
import { RawClient, startServer } from './helpers.js';

const s = await startServer();

async function client(): Promise<RawClient> {
  return RawClient.connect(s.port);
}

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
