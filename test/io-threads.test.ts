// io-threads (reference section 9.1): native threads read, parse and write; commands run on the
// main thread, in order per client. The whole suite also runs with io-threads 4 (the second
// pass of `npm test`); this file checks the threads are really used and what INFO says of them.
import { readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';
import { RawClient, bulkText, resp, startServer, until } from './helpers.js';

const info = async (c: RawClient, section: string): Promise<string> => bulkText(await c.call('INFO', section));
const field = (text: string, name: string): string | undefined => new RegExp(`^${name}:(.*)\r$`, 'm').exec(text)?.[1];
const num = (text: string, name: string): number => Number(field(text, name));

describe('io-threads 4 with threaded reads, serving every turn', async () => {
  const server = await startServer({ 'io-threads': 4, 'io-threads-do-reads': true, ioThreadsAlways: true });
  const clients: Redis[] = [];
  afterAll(() => {
    for (const c of clients) c.disconnect();
  });

  it('CONFIG GET shows the settings; io-threads cannot change at run time', async () => {
    const c = await RawClient.connect(server.port);
    expect(await c.call('CONFIG', 'GET', 'io-threads')).toBe('*2\r\n$10\r\nio-threads\r\n$1\r\n4\r\n');
    expect(await c.call('CONFIG', 'GET', 'io-threads-do-reads')).toBe('*2\r\n$19\r\nio-threads-do-reads\r\n$3\r\nyes\r\n');
    expect(await c.call('CONFIG', 'SET', 'io-threads', '2')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'io-threads') - can't set immutable config\r\n",
    );
    c.close();
  });

  it('eight clients pipelining at once each get their replies in order', async () => {
    for (let k = 0; k < 8; k++) clients.push(new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true }));
    await Promise.all(clients.map((c) => c.connect()));
    const results = await Promise.all(clients.map(async (c, k) => {
      const p = c.pipeline();
      for (let i = 0; i < 1000; i++) p.incr(`io:${k}`);
      p.get(`io:${k}`);
      return p.exec();
    }));
    results.forEach((r) => {
      expect(r).not.toBeNull();
      const values = r!.map(([err, v]) => {
        expect(err).toBeNull();
        return Number(v);
      });
      expect(values.slice(0, 1000)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      expect(values[1000]).toBe(1000);
    });
  });

  it('big values go through the threads both ways', async () => {
    const value = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < value.length; i++) value[i] = (i * 7 + 3) & 0xff;
    const c = clients[0]!;
    expect(await c.set('io:big', value)).toBe('OK');
    expect((await c.getBuffer('io:big'))!.equals(value)).toBe(true);
  });

  it('a protocol error and a hang-up met by a thread end those clients only', async () => {
    const bad = await RawClient.connect(server.port);
    bad.write('*1\r\nxyz\r\n');
    expect(await bad.waitClose()).toBe(true);
    expect(bad.received).toBe("-ERR Protocol error: expected '$', got 'x'\r\n");
    const gone = await RawClient.connect(server.port);
    gone.write(resp('SET', 'io:half'));
    gone.socket.destroy();
    const quit = await RawClient.connect(server.port);
    expect(await quit.call('QUIT')).toBe('+OK\r\n');
    expect(await quit.waitClose()).toBe(true);
    expect(await clients[1]!.ping()).toBe('PONG');
  });

  it('INFO: io_threads_active, the threaded counters and one line per thread', async () => {
    const c = await RawClient.connect(server.port);
    const text = await info(c, 'everything');
    expect(field(text, 'io_threads_active')).toBe('1');
    expect(num(text, 'io_threaded_reads_processed')).toBeGreaterThan(0);
    expect(num(text, 'io_threaded_writes_processed')).toBeGreaterThan(0);
    expect(text).toContain('\r\n# Threads\r\n');
    const lines = [...text.matchAll(/^io_thread_(\d+):reads=(\d+),writes=(\d+)\r$/gm)];
    expect(lines.map((m) => Number(m[1]))).toEqual([0, 1, 2, 3]);
    const helperReads = lines.slice(1).reduce((a, m) => a + Number(m[2]), 0);
    const helperWrites = lines.slice(1).reduce((a, m) => a + Number(m[3]), 0);
    expect(helperReads).toBeGreaterThan(0);
    expect(helperWrites).toBeGreaterThan(0);
    // The per-thread lines add up to the totals.
    expect(lines.reduce((a, m) => a + Number(m[2]), 0)).toBe(num(text, 'io_threaded_reads_processed'));
    expect(lines.reduce((a, m) => a + Number(m[3]), 0)).toBe(num(text, 'io_threaded_writes_processed'));
    expect((await info(c, 'threads')).startsWith('# Threads\r\nio_thread_0:')).toBe(true);
    expect(await c.call('CONFIG', 'RESETSTAT')).toBe('+OK\r\n');
    const after = await info(c, 'threads');
    for (const m of after.matchAll(/^io_thread_\d+:reads=(\d+),writes=(\d+)\r$/gm)) expect(Number(m[1])).toBeLessThanOrEqual(2);
    c.close();
  });
});

describe('io-threads 4 following the load, as Redis', async () => {
  const server = await startServer({ 'io-threads': 4, 'io-threads-do-reads': true });

  it('a lone client is served by the main thread: nothing threaded, io_threads_active 0', async () => {
    const c = await RawClient.connect(server.port);
    for (let i = 0; i < 20; i++) expect(await c.call('PING')).toBe('+PONG\r\n');
    const text = await info(c, 'everything');
    expect(field(text, 'io_threads_active')).toBe('0');
    expect(num(text, 'io_threaded_reads_processed')).toBe(0);
    expect(num(text, 'io_threaded_writes_processed')).toBe(0);
    c.close();
  });

  it('ten clients answered in the same turn (after a pause) start the threads; they stop again after', async () => {
    const admin = await RawClient.connect(server.port);
    const many = await Promise.all(Array.from({ length: 10 }, () => RawClient.connect(server.port)));
    expect(await admin.call('CLIENT', 'PAUSE', '300', 'ALL')).toBe('+OK\r\n');
    for (const m of many) m.write(resp('PING'));
    for (const m of many) expect(await m.replyAt(0)).toBe('+PONG\r\n');
    const text = await info(admin, 'stats');
    expect(num(text, 'io_threaded_writes_processed')).toBeGreaterThanOrEqual(10);
    // With one client talking again the threads are left idle.
    await until(() => info(admin, 'server'), (t) => field(t, 'io_threads_active') === '0');
    for (const m of many) m.close();
    admin.close();
  });
});

describe('a stopped server', () => {
  /** The IO threads of this process, by the names the pool gives them (Linux: /proc). */
  const ioThreads = (): number => readdirSync('/proc/self/task')
    .filter((t) => { try { return readFileSync(`/proc/self/task/${t}/comm`, 'utf8').startsWith('io_thd_'); } catch { return false; } }).length;

  it.runIf(process.platform === 'linux')('leaves none of its IO threads behind', async () => {
    const before = ioThreads();
    const h = await createServer({ port: 0, bind: '127.0.0.1', 'io-threads': 4 });
    const c = await RawClient.connect(h.port);
    expect(await c.call('PING')).toBe('+PONG\r\n');
    c.close();
    expect(ioThreads()).toBe(before + 3);
    await h.close();
    await until(async () => ioThreads(), (n) => n === before);
    expect(ioThreads()).toBe(before);
  });
});
