// Test utilities: servers on 127.0.0.1 with a kernel-chosen port (stopped after each file), and
// raw-socket exchanges for byte-exact replies.
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';
// @ts-expect-error plain JavaScript module shared with the recording script
import { encode, splitCommandLine, valueEnd } from '../scripts/scenario-lib.mjs';
import { createServer, type CreateServerOptions, type ServerHandle } from '../src/index.js';

/**
 * RESPD_TEST_IO_THREADS=N runs every test server with `io-threads N`, threaded reads, and the IO
 * threads serving every turn (the suite's second pass in `npm test`).
 */
export const TEST_IO_THREADS = Number(process.env.RESPD_TEST_IO_THREADS ?? '1') || 1;

/**
 * RESPD_TEST_IO_URING=0 runs every test server with `io-uring no` (epoll: the suite's third pass in
 * `npm test`, the default `auto` serving on io_uring where the kernel has it); =1 with `io-uring yes`.
 */
export const TEST_IO_URING = process.env.RESPD_TEST_IO_URING === '1' ? true : process.env.RESPD_TEST_IO_URING === '0' ? false : undefined;

/** Starts a server for the current test file and stops it when the file is done. */
export async function startServer(options: CreateServerOptions = {}): Promise<ServerHandle> {
  const threaded = TEST_IO_THREADS > 1 && options['io-threads'] === undefined
    ? { 'io-threads': TEST_IO_THREADS, 'io-threads-do-reads': true, ioThreadsAlways: true }
    : {};
  const ring = TEST_IO_URING !== undefined && options['io-uring'] === undefined ? { 'io-uring': TEST_IO_URING } : {};
  const h = await createServer({ ...threaded, ...ring, ...options });
  afterAll(() => h.close());
  return h;
}

/**
 * `n` distinct TCP ports free on 127.0.0.1 now, for servers that must know each other's ports
 * before they start (a static cluster's nodes.conf). Held open together so they differ.
 */
export async function freePorts(n: number): Promise<number[]> {
  const { createServer: createNetServer } = await import('node:net');
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<import('node:net').Server>((resolve, reject) => {
      const s = createNetServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as import('node:net').AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** A raw connection that collects every byte the server sends. */
export class RawClient {
  /** Everything received, one char per byte (string ropes make appending cheap for big replies). */
  private text = '';
  private waiters: (() => void)[] = [];
  closed = false;
  readonly socket: Socket;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.text += d.toString('latin1');
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {
      this.closed = true;
      this.wake();
    });
  }

  static async connect(target: number | string, host = '127.0.0.1'): Promise<RawClient> {
    const socket = typeof target === 'number' ? connect(target, host) : connect(target);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    return new RawClient(socket);
  }

  /** The same over TLS: resolves once the handshake is done, rejects if it fails. */
  static async connectTls(port: number, options: ConnectionOptions, host = '127.0.0.1'): Promise<RawClient> {
    const socket = tlsConnect({ port, host, ...options });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    return new RawClient(socket);
  }

  /** The TLS socket underneath (for its peer certificate), when connected with connectTls. */
  get tls(): TLSSocket {
    return this.socket as TLSSocket;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  write(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Everything received so far, as a binary string. */
  get received(): string {
    return this.text;
  }

  /** Waits until at least `n` bytes arrived (or the connection closed, or the time ran out). */
  async waitBytes(n: number, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.text.length < n && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.received;
  }

  /** Waits until everything received so far matches `re` (or the connection closed, or time ran out). */
  async waitMatch(re: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!re.test(this.received) && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.received;
  }

  /** Sends `bytes` and waits for exactly `expected.length` more bytes, returning them. */
  async exchange(bytes: string | Buffer, expectedLength: number, timeoutMs = 5000): Promise<string> {
    const start = this.text.length;
    this.write(bytes);
    await this.waitBytes(start + expectedLength, timeoutMs);
    return this.received.slice(start);
  }

  /** Sends a command and returns exactly its reply: one complete RESP value (see replyEnd). */
  async call(...args: (string | Buffer)[]): Promise<string> {
    const start = this.text.length;
    this.write(resp(...args));
    return this.replyAt(start);
  }

  /**
   * Waits until `count` complete RESP values have arrived from byte `start` of everything received
   * (or the connection closed, or time ran out) and returns them, nothing more.
   */
  async replyAt(start: number, count = 1, timeoutMs = 5000): Promise<string> {
    let end = -1;
    const complete = () => {
      const s = this.received;
      end = start;
      for (let i = 0; i < count && end >= 0; i++) end = replyEnd(s, end);
      return end >= 0;
    };
    const deadline = Date.now() + timeoutMs;
    while (!complete() && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return end >= 0 ? this.received.slice(start, end) : this.received.slice(start);
  }

  /** Waits for the server to close the connection. */
  async waitClose(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.closed;
  }

  /**
   * Sends PING and waits for its reply (`pong`: '+PONG\r\n', or PONG_SUBSCRIBED for a subscribed
   * RESP2 client), returning everything received before that reply. Replies and pushes come in
   * order, so whatever the server sent this connection before the PING has arrived: the positive
   * signal for asserting that something did not come.
   */
  async beforePing(pong = '+PONG\r\n', timeoutMs = 5000): Promise<string> {
    const start = this.text.length;
    this.write(resp('PING'));
    const deadline = Date.now() + timeoutMs;
    const seen = () => this.text.length >= start + pong.length && this.text.endsWith(pong);
    while (!seen() && !this.closed && Date.now() < deadline) await this.waitBytes(this.text.length + 1, Math.max(1, deadline - Date.now()));
    return seen() ? this.text.slice(0, -pong.length) : this.text;
  }

  /** Resolves after `ms` with whatever arrived: pacing only, never the proof that nothing arrives. */
  async settle(ms = 100): Promise<string> {
    await new Promise((r) => setTimeout(r, ms));
    return this.received;
  }

  close(): void {
    this.socket.destroy();
  }
}

// RESP2 replies as the server writes them, for byte-for-byte expectations.
export const OK = '+OK\r\n';
export const NIL = '$-1\r\n';
export const bulk = (s: string): string => `$${s.length}\r\n${s}\r\n`;
export const bulks = (...items: string[]): string => `*${items.length}\r\n` + items.map(bulk).join('');
export const int = (n: number | string): string => `:${n}\r\n`;
/** An -ERR reply; errorLine for replies with their own code (-WRONGTYPE, -NOPERM, ...). */
export const err = (text: string): string => `-ERR ${text}\r\n`;
export const errorLine = (text: string): string => `-${text}\r\n`;
/** PING's reply to a RESP2 client in subscribed mode. */
export const PONG_SUBSCRIBED = '*2\r\n$4\r\npong\r\n$0\r\n\r\n';

/** A scenario line (resp-diff's syntax: words, quotes, escapes) as a RESP request. */
function encodeScenarioLine(line: string): Buffer {
  return (encode as (a: string[]) => Buffer)((splitCommandLine as (l: string) => string[])(line));
}

/** Encodes a command as a RESP multibulk request. */
export function resp(...args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/**
 * The offset just past the RESP2/RESP3 value that starts at `pos` of `s`, or -1 if it has not
 * fully arrived (the scripts' scanner, shared).
 */
export const replyEnd = (s: string, pos = 0): number => valueEnd(s, pos);

/** The text of a bulk (`$n`) or verbatim (`=n txt:`) reply, e.g. CLIENT LIST's. */
export function bulkText(reply: string): string {
  const eol = reply.indexOf('\r\n');
  const body = reply.slice(eol + 2, reply.length - 2);
  return reply[0] === '=' ? body.slice(4) : body;
}

/** A CLIENT LIST / CLIENT INFO line as field -> value, fields in the order printed. */
export function clientFields(line: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of line.replace(/\n$/, '').split(' ')) {
    const eq = part.indexOf('=');
    out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

/** The lines of a CLIENT LIST reply, each parsed with clientFields. */
export function clientList(reply: string): Map<string, string>[] {
  return bulkText(reply).split('\n').filter(Boolean).map(clientFields);
}

/** Re-runs `probe` until `ok` accepts its value or time runs out; returns the last value. */
export async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 3000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await probe();
  while (!ok(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs));
    v = await probe();
  }
  return v;
}

/** One field of INFO everything, as text ('' when INFO does not show it). */
export async function infoField(c: RawClient, name: string): Promise<string> {
  return new RegExp(`^${name}:(.*)\\r$`, 'm').exec(bulkText(await c.call('INFO', 'everything')))?.[1] ?? '';
}

/** One field of INFO everything, as a number (NaN when INFO does not show it). */
export async function infoNumber(c: RawClient, name: string): Promise<number> {
  const v = await infoField(c, name);
  return v === '' ? NaN : Number(v);
}

/** Sends a command on `c` and expects exactly `expected` back. */
export async function expectReply(c: RawClient, expected: string, ...args: string[]): Promise<void> {
  expect(await c.exchange(resp(...args), expected.length)).toBe(expected);
}

/** The connection's CLIENT ID, as a number (the reply must be an integer). */
export async function clientId(c: RawClient): Promise<number> {
  const r = await c.call('CLIENT', 'ID');
  expect(r).toMatch(/^:\d+\r\n$/);
  return Number(r.slice(1, -2));
}

/** The blocked_clients count of INFO clients, read on `c` (-1 when missing). */
export async function blockedClients(c: RawClient): Promise<number> {
  return Number(/blocked_clients:(\d+)/.exec(await c.call('INFO', 'clients'))?.[1] ?? -1);
}

/** Waits until the server counts `n` blocked clients, asking on `c` (which must not be blocked). */
export async function untilBlocked(c: RawClient, n: number): Promise<void> {
  expect(await until(() => blockedClients(c), (v) => v === n)).toBe(n);
}

/** Waits until a process's collected output (stdout and stderr) matches `re`. */
export function waitForOutput(output: () => string, re: RegExp, timeoutMs = 10000): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      if (re.test(output())) resolve();
      else if (Date.now() - start > timeoutMs) reject(new Error(`timed out waiting for ${re}: ${output()}`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

/** A small deterministic PRNG (mulberry32), so failures replay. */
/**
 * A maker of temporary directories (`respd-<name>-...`) for one test file, all removed after its
 * tests. Call it at the file's top level or in a describe, where afterAll registers.
 */
export function tempDirs(name: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), `respd-${name}-`));
    dirs.push(d);
    return d;
  };
}

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random integer in [0, n) from `rand` (an rng), for tests that draw sizes and indices. */
export function below(rand: () => number): (n: number) => number {
  return (n) => Math.floor(rand() * n);
}

/** The elements of a flat array (or RESP3 set) of bulk strings. */
export function parseBulks(reply: string): string[] {
  const out: string[] = [];
  let at = reply.indexOf('\r\n') + 2;
  while (at < reply.length) {
    const eol = reply.indexOf('\r\n', at);
    const n = Number(reply.slice(at + 1, eol));
    out.push(reply.slice(eol + 2, eol + 2 + n));
    at = eol + 2 + n + 2;
  }
  return out;
}

/**
 * `node dist/cli.js` with `args` plus a unix socket in a fresh folder, ready once it logs
 * "Ready to accept connections unix". stop() kills it and removes the folder.
 */
export async function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ sock: string; dir: string; output: () => string; stop: () => void }> {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'respd-cli-'));
  const sock = join(dir, 'r.sock');
  const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
  // In its own directory: dump.rdb (save points are on by default) stays there.
  // The suite's poller pass applies to the command line too (an --io-uring given wins).
  const ring = TEST_IO_URING !== undefined && !args.includes('--io-uring') ? ['--io-uring', TEST_IO_URING ? 'yes' : 'no'] : [];
  const child = spawn(process.execPath, [cli, ...args, ...ring, '--port', '0', '--unixsocket', sock], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, env });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const stop = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 500 && !out.includes('Ready to accept connections unix'); i++) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  if (!out.includes('Ready to accept connections unix')) {
    stop();
    throw new Error(`respd did not start: ${out}`);
  }
  return { sock, dir, output: () => out, stop };
}

/**
 * Replays test/scenarios/<name>.txt as recorded from redis-server (<name>.expected.json, made by
 * scripts/record-scenario.mjs) on one connection, and expects respd's reply to each step byte for
 * byte. `known` names the steps where the recording (Debian's redis-server 7.0) and respd (Redis
 * 7.2's behaviour, the reference) differ, with why: they are sent, not compared. Time-dependent
 * replies may differ by the clock's tick (TTL, PTTL, EXPIRETIME) or a second or two of idle time
 * (OBJECT IDLETIME, when the suite runs slowly).
 */
export async function replayScenario(port: number, name: string, known: Readonly<Record<string, string>> = {}): Promise<void> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
  const steps = JSON.parse(readFileSync(join(dir, `${name}.expected.json`), 'utf8')) as [string, string][];
  const unused = new Set(Object.keys(known));
  const c = await RawClient.connect(port);
  // Replies are taken in order, one per step, as the recording took them: a step that got two
  // (SUBSCRIBE a b) leaves the second for the next step, there and here alike.
  let pos = c.received.length;
  for (const [line, expected] of steps) {
    c.write(encodeScenarioLine(line));
    if (expected === '') continue;
    const deadline = Date.now() + 5000;
    let got = '';
    while (Date.now() < deadline) {
      const end = replyEnd(c.received, pos);
      if (end > 0) {
        got = c.received.slice(pos, end);
        pos = end;
        break;
      }
      await c.waitBytes(c.received.length + 1, 50);
    }
    if (line in known) {
      unused.delete(line);
      continue;
    }
    const timed = /^(p?ttl|p?expiretime)\b/i.test(line) ? 1000 : /^object idletime\b/i.test(line) ? 2 : 0;
    if (timed && /^:\d+\r\n$/.test(expected) && /^:\d+\r\n$/.test(got)) {
      const want = Number(expected.slice(1, -2));
      const have = Number(got.slice(1, -2));
      // A deadline set as an absolute time (EXPIREAT 2080) is nearer now than when recorded.
      if (want > 86400 && /ttl/i.test(line)) expect(have > 0 && have <= want, `${line}: ${have} of ${want}`).toBe(true);
      else expect(Math.abs(have - want), line).toBeLessThanOrEqual(timed);
    } else {
      expect(got, line).toBe(expected);
    }
  }
  // A known difference that no step meets is stale.
  expect([...unused], 'known differences not met').toEqual([]);
  c.close();
}
