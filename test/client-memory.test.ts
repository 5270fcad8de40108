// What CLIENT LIST / CLIENT INFO report of a client's buffers, as Redis does: the running
// command's own bytes in the (reusable) query buffer, nothing for an idle client, and tot-mem
// counting the 16 KiB static reply buffer and the borrowed query buffer.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { bulkText, clientFields, clientId, clientList, RawClient, resp, startServer } from './helpers.js';

const s = await startServer();

it('the running command shows as qbuf (26 bytes for CLIENT INFO), the rest of the buffer as qbuf-free', async () => {
  const c = await RawClient.connect(s.port);
  const f = clientFields(bulkText(await c.call('CLIENT', 'INFO')));
  expect(f.get('qbuf')).toBe('26');
  expect(f.get('qbuf-free')).toBe('20448');
  expect(f.get('argv-mem')).toBe('10');
  // 20480 borrowed for the query, 16384 for replies, and the client itself.
  expect(Number(f.get('tot-mem'))).toBeGreaterThan(20480 + 16384);
  c.close();
});

it('an idle client holds no query buffer: qbuf=0 qbuf-free=0', async () => {
  const idle = await RawClient.connect(s.port);
  expect(await idle.call('CLIENT', 'SETNAME', 'idle')).toBe('+OK\r\n');
  const c = await RawClient.connect(s.port);
  const line = clientList(await c.call('CLIENT', 'LIST')).find((l) => l.get('name') === 'idle')!;
  expect(line.get('qbuf')).toBe('0');
  expect(line.get('qbuf-free')).toBe('0');
  expect(line.get('argv-mem')).toBe('0');
  // The static reply buffer counts in tot-mem (Redis allocates it with the client).
  expect(Number(line.get('tot-mem'))).toBeGreaterThanOrEqual(Number(line.get('rbs')));
  idle.close();
  c.close();
});

it('a partial command waits in a private buffer: qbuf is its bytes so far', async () => {
  const partial = await RawClient.connect(s.port);
  partial.write('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nabc');
  const c = await RawClient.connect(s.port);
  // The server sees the partial request at once; its line has the bytes still unparsed.
  let line: Map<string, string> | undefined;
  for (let i = 0; i < 50; i++) {
    line = clientList(await c.call('CLIENT', 'LIST')).find((l) => l.get('cmd') === 'NULL' && Number(l.get('qbuf')) > 0);
    if (line) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(line).toBeDefined();
  expect(Number(line!.get('qbuf'))).toBeGreaterThan(0);
  partial.close();
  c.close();
});

it('maxmemory-clients: a command whose arguments take its client over the limit evicts it before it runs', async () => {
  const t = await startServer();
  const admin = await RawClient.connect(t.port);
  expect(await admin.call('CLIENT', 'NO-EVICT', 'on')).toBe('+OK\r\n');
  // N% of maxmemory: 10% of 10 MB.
  expect(await admin.call('CONFIG', 'SET', 'maxmemory', '10mb', 'maxmemory-clients', '10%')).toBe('+OK\r\n');
  const big = await RawClient.connect(t.port);
  expect(await big.call('PING')).toBe('+PONG\r\n');
  const value = 'x'.repeat(300 * 1024);
  big.write(Buffer.concat([Buffer.from('*9\r\n$4\r\nMSET\r\n'), ...[1, 2, 3, 4].map((i) => Buffer.from(`$2\r\nk${i}\r\n$${value.length}\r\n${value}\r\n`))]));
  expect(await big.waitClose()).toBe(true);
  // The MSET never ran.
  expect(await admin.call('EXISTS', 'k1', 'k2', 'k3', 'k4')).toBe(':0\r\n');
  expect(await admin.call('INFO', 'stats')).toMatch(/evicted_clients:1\r\n/);
  // The same MSET under the limit runs.
  expect(await admin.call('CONFIG', 'SET', 'maxmemory-clients', '0', 'maxmemory', '0')).toBe('+OK\r\n');
  expect(await admin.call('MSET', 'k1', 'v')).toBe('+OK\r\n');
  admin.close();
});

it('an output hard limit reached in the middle of one reply: the rest is dropped at once, the client closed, the log shows its real omem/oll', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'respd-obuf-'));
  const logfile = join(dir, 'respd.log');
  try {
    const t = await startServer({ 'client-output-buffer-limit': 'normal 1mb 0 0', logfile, loglevel: 'warning' });
    const admin = await RawClient.connect(t.port);
    // KEYS * answers about 6.4 MB here.
    expect(await admin.call('DEBUG', 'POPULATE', '200000', 'some-longer-key-name')).toBe('+OK\r\n');
    const c = await RawClient.connect(t.port);
    c.write(resp('KEYS', '*'));
    expect(await c.waitClose()).toBe(true);
    // Nothing of it was sent, not even what fit in the static buffer (all data comes before EOF).
    expect(c.received).toBe('');
    expect(await admin.call('PING')).toBe('+PONG\r\n');
    expect(await admin.call('INFO', 'stats')).toMatch(/client_output_buffer_limit_disconnections:1\r\n/);
    const log = readFileSync(logfile, 'utf8');
    const m = /Client id=\d+ .* omem=(\d+) .*cmd=keys .* scheduled to be closed ASAP for overcoming of output buffer limits\./.exec(log);
    expect(m, log).not.toBeNull();
    // Cut at the first check past the limit (replies reach native a reply area, 1 MiB, at a time):
    // the 6.4 MB reply was never held.
    expect(Number(m![1])).toBeGreaterThanOrEqual(1024 * 1024);
    expect(Number(m![1])).toBeLessThan(3 * 1024 * 1024);
    expect(log).toMatch(/ oll=[1-9]\d* omem=[1-9]/);
    admin.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('maxmemory-clients: a client whose MULTI queue takes it over the limit is evicted, and nothing it queued runs', async () => {
  const t = await startServer();
  const admin = await RawClient.connect(t.port);
  expect(await admin.call('CLIENT', 'NO-EVICT', 'on')).toBe('+OK\r\n');
  expect(await admin.call('CONFIG', 'SET', 'maxmemory-clients', '1mb')).toBe('+OK\r\n');
  const c = await RawClient.connect(t.port);
  expect(await c.call('MULTI')).toBe('+OK\r\n');
  const value = 'x'.repeat(200 * 1024);
  let closed = false;
  for (let i = 0; i < 10 && !closed; i++) {
    c.write(resp('SET', `m${i}`, value));
    closed = await Promise.race([c.waitClose(300), new Promise<boolean>((r) => setTimeout(() => r(false), 300))]);
  }
  expect(closed).toBe(true);
  expect(await admin.call('EXISTS', 'm0', 'm1', 'm2')).toBe(':0\r\n');
  expect(await admin.call('INFO', 'stats')).toMatch(/evicted_clients:1\r\n/);
  admin.close();
});

it('maxmemory-clients: a tracking redirection target that does not read is evicted as invalidations pile up', async () => {
  const t = await startServer();
  const admin = await RawClient.connect(t.port);
  expect(await admin.call('CLIENT', 'NO-EVICT', 'on')).toBe('+OK\r\n');
  const prefix = 'p'.repeat(200);
  expect(await admin.call('DEBUG', 'POPULATE', '20000', prefix)).toBe('+OK\r\n');
  const target = await RawClient.connect(t.port);
  const targetId = String(await clientId(target));
  await target.call('SUBSCRIBE', '__redis__:invalidate');
  const tracker = await RawClient.connect(t.port);
  expect(await tracker.call('CLIENT', 'NO-EVICT', 'on')).toBe('+OK\r\n');
  expect(await tracker.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', targetId)).toBe('+OK\r\n');
  const keys = Array.from({ length: 20000 }, (_, i) => `${prefix}:${i}`);
  expect(await tracker.call('MGET', ...keys)).toMatch(/^\*20000\r\n/);
  // The target stops reading; 20,000 invalidations of 200-byte keys (about 4.5 MB) go its way.
  target.socket.pause();
  expect(await admin.call('CONFIG', 'SET', 'maxmemory-clients', '1mb')).toBe('+OK\r\n');
  expect(await admin.call('DEL', ...keys)).toBe(':20000\r\n');
  let evicted = '';
  for (let i = 0; i < 100 && !/evicted_clients:1\r\n/.test(evicted); i++) {
    evicted = await admin.call('INFO', 'stats');
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(evicted).toMatch(/evicted_clients:1\r\n/);
  expect(clientList(await admin.call('CLIENT', 'LIST')).some((l) => l.get('id') === targetId)).toBe(false);
  target.close();
  tracker.close();
  admin.close();
});
