// Test utilities: servers on 127.0.0.1 with a kernel-chosen port (stopped after each file), and
// raw-socket exchanges for byte-exact replies.
import { connect, type Socket } from 'node:net';
import { afterAll } from 'vitest';
import { createServer, type CreateServerOptions, type ServerHandle } from '../src/index.js';

/** Starts a server for the current test file and stops it when the file is done. */
export async function startServer(options: CreateServerOptions = {}): Promise<ServerHandle> {
  const h = await createServer(options);
  afterAll(() => h.close());
  return h;
}

/** A raw connection that collects every byte the server sends. */
export class RawClient {
  private data = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  readonly socket: Socket;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.data = Buffer.concat([this.data, d]);
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
    return this.data.toString('latin1');
  }

  /** Waits until at least `n` bytes arrived (or the connection closed, or the time ran out). */
  async waitBytes(n: number, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.data.length < n && !this.closed && Date.now() < deadline) {
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
    const start = this.data.length;
    this.write(bytes);
    await this.waitBytes(start + expectedLength, timeoutMs);
    return this.received.slice(start);
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

  /** Resolves after `ms` with whatever arrived (for asserting that nothing more arrives). */
  async settle(ms = 100): Promise<string> {
    await new Promise((r) => setTimeout(r, ms));
    return this.received;
  }

  close(): void {
    this.socket.destroy();
  }
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
