// A replica busy running a script reads nothing from its master meanwhile (Redis processes no
// master input while a script is busy): the stream waits in the socket instead of being answered
// -BUSY, and is applied once the script is killed. The replica runs in its own process (a busy
// script in this one would stop the test too); its master runs here.
import { describe, expect, it, onTestFinished } from 'vitest';
import { Redis } from 'ioredis';
import { RawClient, resp, startCli, startServer } from './helpers.js';

describe('a busy replica', () => {
  it('leaves the master stream unread until the script ends, then applies all of it', async () => {
    const master = await startServer({ 'repl-diskless-sync-delay': '0' });
    onTestFinished(() => master.close());
    const m = new Redis(master.port, '127.0.0.1', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
    onTestFinished(() => m.disconnect());
    // Stopped when this test ends, whatever happens (a hook registered inside a test: onTestFinished).
    const cli = await startCli(['--busy-reply-threshold', '100', '--enable-debug-command', 'yes', '--replicaof', '127.0.0.1', String(master.port)]);
    onTestFinished(() => cli.stop());
    const probe = await RawClient.connect(cli.sock);
    const field = async (name: string) => new RegExp(`${name}:(\\S+)`).exec(await probe.call('INFO', 'replication'))?.[1];
    for (let i = 0; i < 500 && (await field('master_link_status')) !== 'up'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await field('master_link_status')).toBe('up');
    await m.set('before', '1');
    const linkId = /id=(\d+)/.exec(await probe.call('CLIENT', 'LIST', 'TYPE', 'master'))?.[1];

    const runner = await RawClient.connect(cli.sock);
    runner.write(resp('EVAL', 'local i = 0 while true do i = i + 1 end', '0'));
    for (let i = 0; i < 500 && !cli.output().includes('Slow script detected'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(await probe.call('PING')).toMatch(/^-BUSY /);
    for (let i = 0; i < 50; i++) await m.set(`during:${i}`, String(i));
    await m.incr('during:0');
    expect(await probe.call('SCRIPT', 'KILL')).toBe('+OK\r\n');
    await runner.waitBytes(1);
    const target = /master_repl_offset:(\d+)/.exec(await m.info('replication'))![1];
    for (let i = 0; i < 500 && (await field('slave_repl_offset')) !== target; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await field('slave_repl_offset')).toBe(target);
    expect(await probe.call('DBSIZE')).toBe(':51\r\n');
    expect(await probe.call('GET', 'during:0')).toBe('$1\r\n1\r\n');
    expect(await probe.call('DEBUG', 'DIGEST')).toBe(`+${await m.call('DEBUG', 'DIGEST')}\r\n`);
    // The same link all along: nothing (no -BUSY) went back to the master to break it.
    expect(/id=(\d+)/.exec(await probe.call('CLIENT', 'LIST', 'TYPE', 'master'))?.[1]).toBe(linkId);
    expect(await m.info('stats')).toMatch(/^sync_partial_ok:0\r$/m);
    runner.close();
    probe.close();
  });
});
