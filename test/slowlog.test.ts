// The SLOWLOG family: GET, LEN, RESET, the thresholds and max-len, argument cuts and redaction.
// Durations are only checked to be at least the DEBUG SLEEP asked for, never against a ceiling.
import { describe, expect, it } from 'vitest';
import { RawClient, startServer } from './helpers.js';

const s = await startServer();

async function client(): Promise<RawClient> {
  return RawClient.connect(s.port);
}

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
