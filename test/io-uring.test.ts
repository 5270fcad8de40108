// io-uring auto (the default) or yes: the io_uring poller in place of epoll. The whole suite runs on
// it in `npm test`'s first pass (epoll has the third, RESPD_TEST_IO_URING=0); here what is its own:
// which poller serves and the line logged when io_uring cannot, the directive, and the byte paths the ring changes (big replies in
// several sends, pipelines, unix sockets, a client gone while its reply is still being sent).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { createServer } from '../src/index.js';
import { bulkText, RawClient, resp, startServer, until } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'respd-io-uring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the environment says: Linux 6.0 or later with io_uring not disabled by sysctl. */
function kernelHasIoUring(): boolean {
  if (process.platform !== 'linux') return false;
  const [major] = release().split('.').map(Number);
  if (!(major >= 6)) return false;
  try {
    return readFileSync('/proc/sys/kernel/io_uring_disabled', 'utf8').trim() === '0';
  } catch {
    return true; // no such sysctl before Linux 6.6: enabled
  }
}

const log = (name: string) => join(dir, `${name}.log`);
const multiplexingApi = async (port: number) => {
  const c = await RawClient.connect(port);
  const info = bulkText(await c.call('INFO', 'server'));
  c.socket.destroy();
  return /multiplexing_api:(\S+)/.exec(info)?.[1];
};

describe('choosing the poller', () => {
  it('io-uring yes serves on io_uring where the kernel has it, and otherwise logs why and serves on epoll', async () => {
    const s = await startServer({ 'io-uring': true, 'io-threads': 1, logfile: log('ring') });
    const api = await multiplexingApi(s.port);
    const lines = readFileSync(log('ring'), 'utf8');
    if (kernelHasIoUring()) {
      expect(api).toBe('io_uring');
      expect(lines).not.toContain('io_uring is not available');
    } else {
      expect(api).not.toBe('io_uring');
      expect(lines).toMatch(/# io_uring is not available \(.+\): using (epoll|kqueue)\n/);
    }
  });

  it('io-uring with io-threads > 1 logs that the IO threads keep readiness events', async () => {
    const s = await startServer({ 'io-uring': true, 'io-threads': 3, logfile: log('threads') });
    expect(await multiplexingApi(s.port)).not.toBe('io_uring');
    expect(readFileSync(log('threads'), 'utf8')).toMatch(
      /# io-uring is not used with io-threads > 1 \(the IO threads need readiness events\): using (epoll|kqueue)\n/,
    );
  });

  it('io-uring no is epoll, with nothing logged about it', async () => {
    const s = await startServer({ 'io-uring': false, 'io-threads': 1, logfile: log('plain') });
    expect(await multiplexingApi(s.port)).toBe(process.platform === 'linux' ? 'epoll' : 'kqueue');
    expect(readFileSync(log('plain'), 'utf8')).not.toContain('io_uring');
  });

  it('io-uring auto (the default) serves on io_uring where the kernel has it, and otherwise says why in a notice', async () => {
    // Straight through createServer: the test helper would apply RESPD_TEST_IO_URING.
    const s = await createServer({ 'io-threads': 1, loglevel: 'notice', logfile: log('auto') });
    onTestFinished(() => s.close());
    const api = await multiplexingApi(s.port);
    const lines = readFileSync(log('auto'), 'utf8');
    if (kernelHasIoUring()) {
      expect(api).toBe('io_uring');
      expect(lines).not.toContain('io_uring');
    } else {
      expect(api).not.toBe('io_uring');
      expect(lines).toMatch(/\* io_uring is not available \(.+\): using (epoll|kqueue)\n/);
      expect(lines).not.toMatch(/# io_uring/);
    }
  });

  it('io-uring auto with io-threads > 1 is epoll, with a notice (not a warning) saying why', async () => {
    const s = await startServer({ 'io-uring': 'auto', 'io-threads': 3, loglevel: 'notice', logfile: log('auto-threads') });
    expect(await multiplexingApi(s.port)).not.toBe('io_uring');
    expect(readFileSync(log('auto-threads'), 'utf8')).toMatch(
      /\* io-uring is not used with io-threads > 1 \(the IO threads need readiness events\): using (epoll|kqueue)\n/,
    );
  });
});

describe('the directive', () => {
  it('is start-up only, answers by name, and stays out of CONFIG GET * (it is respd\'s own)', async () => {
    const s = await startServer({ 'io-uring': true, 'io-threads': 1 });
    const c = await RawClient.connect(s.port);
    expect(await c.call('CONFIG', 'GET', 'io-uring')).toBe(resp('io-uring', 'yes').toString());
    expect(await c.call('CONFIG', 'SET', 'io-uring', 'no')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'io-uring') - can't set immutable config\r\n",
    );
    expect(await c.call('CONFIG', 'GET', 'io-*')).toBe(resp('io-threads-do-reads', 'no', 'io-threads', '1').toString());
    c.socket.destroy();
  });

  it('defaults to auto, takes auto, yes and no only, and says so in Redis\'s words otherwise', async () => {
    const s = await createServer({ 'io-threads': 1 });
    onTestFinished(() => s.close());
    const c = await RawClient.connect(s.port);
    expect(await c.call('CONFIG', 'GET', 'io-uring')).toBe(resp('io-uring', 'auto').toString());
    c.socket.destroy();
    await expect(createServer({ 'io-uring': 'maybe' })).rejects.toThrow(/io-uring/);
  });
});

describe('bytes through the ring', async () => {
  const unixsocket = join(dir, 'ring.sock');
  const s = await startServer({ 'io-uring': true, 'io-threads': 1, unixsocket });

  it('a reply far bigger than the send window arrives whole, over tcp and over the unix socket', async () => {
    const value = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < value.length; i++) value[i] = 97 + ((i * 7 + (i >> 12)) % 26);
    const c = await RawClient.connect(s.port);
    expect(await c.call('SET', 'big', value)).toBe('+OK\r\n');
    const expected = `$${value.length}\r\n${value.toString('latin1')}\r\n`;
    expect((await c.exchange(resp('GET', 'big'), expected.length, 20000)) === expected).toBe(true);
    const u = await RawClient.connect(unixsocket);
    expect((await u.exchange(resp('GET', 'big'), expected.length, 20000)) === expected).toBe(true);
    c.socket.destroy();
    u.socket.destroy();
  });

  it('a pipeline of 5,000 commands in one write gets its replies in order', async () => {
    const c = await RawClient.connect(s.port);
    const n = 5000;
    const cmds = Buffer.concat(Array.from({ length: n }, () => resp('INCR', 'ctr')));
    const want = Array.from({ length: n }, (_, i) => `:${i + 1}\r\n`).join('');
    expect(await c.exchange(cmds, want.length, 20000)).toBe(want);
    c.socket.destroy();
  });

  it('clients that leave while their big replies are still going out do not disturb the others', async () => {
    const leavers = await Promise.all(Array.from({ length: 8 }, () => RawClient.connect(s.port)));
    for (const l of leavers) {
      l.socket.pause(); // reads nothing: the reply stays in flight
      l.write(Buffer.concat([resp('GET', 'big'), resp('GET', 'big')]));
    }
    const stayer = await RawClient.connect(unixsocket);
    expect(await stayer.call('PING')).toBe('+PONG\r\n');
    for (const l of leavers) l.socket.destroy();
    // The server notices every one of them gone and keeps serving.
    const connected = (r: string) => /connected_clients:(\d+)/.exec(bulkText(r))?.[1];
    expect(connected(await until(() => stayer.call('INFO', 'clients'), (r) => connected(r) === '1', 5000))).toBe('1');
    expect(await stayer.call('SET', 'k', 'v')).toBe('+OK\r\n');
    expect(await stayer.call('GET', 'k')).toBe('$1\r\nv\r\n');
    stayer.socket.destroy();
  });

  it('QUIT: the +OK arrives before the close', async () => {
    const c = await RawClient.connect(s.port);
    c.write(Buffer.concat([resp('PING'), resp('QUIT'), resp('PING')]));
    expect(await c.waitClose()).toBe(true);
    expect(c.received).toBe('+PONG\r\n+OK\r\n');
  });
});
