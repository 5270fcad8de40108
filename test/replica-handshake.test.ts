// The replica's handshake byte by byte against a scripted master (a plain socket server here):
// what it sends at each step, ROLE and INFO while it waits, a payload cut in pieces with an EOF
// mark, the stream after it in the same read, and REPLCONF GETACK answered with the offset.
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Redis } from 'ioredis';
import { startServer } from './helpers.js';
import { encodeCommand } from '../src/propagation/propagation.js';

/** A master that records what it receives and answers when told. */
async function fakeMaster(): Promise<{ port: number; received: () => string; next: () => Promise<Socket>; close: () => void }> {
  let text = '';
  const waiting: ((s: Socket) => void)[] = [];
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('data', (d) => (text += d.toString('latin1')));
    s.on('error', () => undefined);
    waiting.shift()?.(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    received: () => text,
    next: () => new Promise((r) => waiting.push(r)),
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** Polls `f` for up to 5 s; on a timeout the error says what `state` last read (a rare CI failure left no trace). */
async function until(f: () => boolean | Promise<boolean>, state?: () => Promise<string>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out${state ? `; last seen: ${await state()}` : ''}`);
}

describe('replica handshake', () => {
  it('sends what Redis 7.2 sends, takes an EOF-marked payload in pieces and the stream after it', async () => {
    const master = await fakeMaster();
    onTestFinished(() => master.close());
    const replica = await startServer();
    onTestFinished(() => replica.close());
    const r = new Redis(replica.port, '127.0.0.1', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
    onTestFinished(() => r.disconnect());
    const conn = master.next();
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    const s = await conn;
    await until(() => master.received() === '*1\r\n$4\r\nPING\r\n');
    expect(((await r.call('ROLE')) as unknown[])[3]).toBe('handshake');
    s.write('+PONG\r\n');
    const port = String(replica.port);
    const replconf = `*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n$${port.length}\r\n${port}\r\n*5\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n$4\r\ncapa\r\n$6\r\npsync2\r\n`;
    await until(() => master.received().length >= 14 + replconf.length);
    expect(master.received().slice(14)).toBe(replconf);
    s.write('+OK\r\n+OK\r\n');
    const replid = /master_replid:(\w+)/.exec(await r.info('replication'))![1]!;
    const psync = `*3\r\n$5\r\nPSYNC\r\n$40\r\n${replid}\r\n$1\r\n1\r\n`;
    await until(() => master.received().endsWith(psync));

    // A payload: respd's own empty dataset plus one key, from another server's SYNC.
    const donor = await startServer();
    onTestFinished(() => donor.close());
    const d = new Redis(donor.port, '127.0.0.1', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
    onTestFinished(() => d.disconnect());
    await d.set('from-payload', 'yes');
    await d.select(2);
    await d.set('in-db2', 'x');
    const rdb = await new Promise<Buffer>((resolve) => {
      let buf = Buffer.alloc(0);
      const c = connect(donor.port, '127.0.0.1', () => c.write('SYNC\r\n'));
      c.on('data', (b: Buffer) => {
        buf = Buffer.concat([buf, b]);
        const nl = buf.indexOf('\r\n');
        const len = nl > 0 ? Number(buf.toString('latin1', 1, nl)) : -1;
        if (len >= 0 && buf.length >= nl + 2 + len) {
          c.destroy();
          resolve(buf.subarray(nl + 2, nl + 2 + len));
        }
      });
    });
    // A random hex mark, as a master sends (Redis's getRandomHexChars). A mark of one repeated
    // character matched a byte early whenever the payload's checksum ended in that character.
    const mark = randomBytes(20).toString('hex');
    s.write(`+FULLRESYNC ${'f'.repeat(40)} 1000\r\n\n\n$EOF:${mark}\r\n`);
    await until(async () => /master_sync_in_progress:1/.test(await r.info('replication')));
    expect(((await r.call('ROLE')) as unknown[])[3]).toBe('sync');
    // The payload in two pieces, the mark split between them, the stream right after it.
    const stream = Buffer.concat([encodeCommand(['SELECT', '2']), encodeCommand(['SET', 'streamed', '1'])]);
    const rest = Buffer.concat([rdb, Buffer.from(mark), stream]);
    const cut = rdb.length + 20;
    s.write(rest.subarray(0, cut));
    await new Promise((res) => setTimeout(res, 30));
    s.write(rest.subarray(cut));
    await until(async () => /master_link_status:up/.test(await r.info('replication')));
    const info = await r.info('replication');
    expect(info).toMatch(/master_replid:f{40}/);
    await until(
      async () => (await r.info('replication')).includes(`slave_repl_offset:${1000 + stream.length}`),
      async () => `want slave_repl_offset:${1000 + stream.length}; ${(await r.info('replication')).replace(/\r\n/g, ' ')} | db0 ${JSON.stringify(await r.keys('*'))}`,
    );
    expect(await r.get('from-payload')).toBe('yes');
    await r.select(2);
    expect(await r.get('streamed')).toBe('1');
    expect(await r.get('in-db2')).toBe('x');
    // GETACK: the offset processed before it.
    const before = master.received().length;
    s.write(encodeCommand(['REPLCONF', 'GETACK', '*']));
    const ack = encodeCommand(['REPLCONF', 'ACK', String(1000 + stream.length)]).toString('latin1');
    await until(() => master.received().slice(before).includes(ack));
  });
});
