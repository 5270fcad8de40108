// RESPD_TURN_STATS=<seconds>: the measuring switch (src/server/turn-stats.ts) logs one line of
// histograms per interval in which batches ran, and nothing without it. Counts only: the times
// themselves depend on the machine.
import { describe, expect, it } from 'vitest';
import { RawClient, startCli, until } from './helpers.js';

const statsLine = (out: string) => /turn stats: batch js n=(\d+) .*\| commands\/batch n=\d+ mean=[\d.]+ .*\| commands in batches over 1 ms \d+ of (\d+) \| between batches .*\| gc .*/.exec(out);

describe('RESPD_TURN_STATS', () => {
  it('logs the batches, their commands and the GC of each interval', async () => {
    const cli = await startCli(['--save', ''], { ...process.env, RESPD_TURN_STATS: '1' });
    try {
      const c = await RawClient.connect(cli.sock);
      for (let i = 0; i < 5; i++) expect(await c.call('SET', `k${i}`, 'v')).toBe('+OK\r\n');
      c.close();
      const m = statsLine(await until(async () => cli.output(), (o) => statsLine(o) !== null, 5000));
      expect(m).not.toBeNull();
      expect(Number(m?.[1])).toBeGreaterThanOrEqual(5);
      expect(Number(m?.[2])).toBeGreaterThanOrEqual(5);
    } finally {
      cli.stop();
    }
  });

  it('is off by default', async () => {
    const env = { ...process.env };
    delete env.RESPD_TURN_STATS;
    const cli = await startCli(['--save', ''], env);
    try {
      const c = await RawClient.connect(cli.sock);
      expect(await c.call('PING')).toBe('+PONG\r\n');
      // Past the first interval: with the switch on, its report would be out by now.
      await new Promise((r) => setTimeout(r, 1200));
      c.close();
      expect(cli.output()).not.toContain('turn stats');
    } finally {
      cli.stop();
    }
  });
});
