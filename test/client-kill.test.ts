// CLIENT KILL end to end: the old <addr> form, every filter of the new form (ID, TYPE, USER, ADDR,
// LADDR, SKIPME, MAXAGE) alone and ANDed, their errors, killing oneself (the reply, then the
// close), and killing clients in the middle of a pipeline or with output pending while the
// other clients' replies stay intact.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RawClient, clientList, resp, startServer, until } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'respd-client-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const server = await startServer();
const open = () => RawClient.connect(server.port);
const admin = await open();

async function idOf(c: RawClient): Promise<number> {
  const r = await c.call('CLIENT', 'ID');
  expect(r).toMatch(/^:\d+\r\n$/);
  return Number(r.slice(1, -2));
}

const addrOf = (c: RawClient) => `127.0.0.1:${c.socket.localPort}`;

/** True when the server no longer lists client `id` (a killed client is freed at once). */
async function gone(id: number, by = admin): Promise<boolean> {
  return (await by.call('CLIENT', 'LIST', 'ID', String(id))) === '$0\r\n\r\n';
}

describe('old form: CLIENT KILL <addr>', () => {
  it('kills the client with that peer address: +OK, its connection closes, it is gone from the list', async () => {
    const victim = await open();
    const id = await idOf(victim);
    expect(await admin.call('CLIENT', 'KILL', addrOf(victim))).toBe('+OK\r\n');
    expect(await gone(id)).toBe(true);
    expect(await victim.waitClose()).toBe(true);
    expect(victim.received).toBe(`:${id}\r\n`);
  });

  it('No such client when nothing matches (LADDR-style or bad addresses included)', async () => {
    expect(await admin.call('CLIENT', 'KILL', '1.2.3.4:5')).toBe('-ERR No such client\r\n');
    expect(await admin.call('CLIENT', 'KILL', `127.0.0.1:${server.port}`)).toBe('-ERR No such client\r\n');
    expect(await admin.call('CLIENT', 'KILL', 'garbage')).toBe('-ERR No such client\r\n');
  });

  it('a client may kill itself: +OK, then the close; pipelined commands after it never run', async () => {
    const c = await open();
    const start = c.received.length;
    c.write(Buffer.concat([resp('CLIENT', 'KILL', addrOf(c)), resp('SET', 'after-self-kill', '1')]));
    expect(await c.waitClose()).toBe(true);
    expect(c.received.slice(start)).toBe('+OK\r\n');
    expect(await admin.call('EXISTS', 'after-self-kill')).toBe(':0\r\n');
  });
});

describe('filter form', () => {
  it('ID: kills that client (:1), then :0 as it is gone', async () => {
    const victim = await open();
    const id = await idOf(victim);
    expect(await admin.call('CLIENT', 'KILL', 'ID', String(id))).toBe(':1\r\n');
    expect(await gone(id)).toBe(true);
    expect(await victim.waitClose()).toBe(true);
    expect(await admin.call('CLIENT', 'KILL', 'ID', String(id))).toBe(':0\r\n');
  });

  it('ID errors: not an integer, zero, negative', async () => {
    for (const bad of ['abc', '0', '-1', '1.5', '99999999999999999999']) {
      expect(await admin.call('CLIENT', 'KILL', 'ID', bad)).toBe('-ERR client-id should be greater than 0\r\n');
    }
  });

  it('TYPE pubsub kills the subscribers only; master/replica/slave match nothing; unknown type errors', async () => {
    const sub1 = await open();
    const sub2 = await open();
    const plain = await open();
    for (const s of [sub1, sub2]) expect(await s.call('PSUBSCRIBE', 'kill:*')).toBe('*3\r\n$10\r\npsubscribe\r\n$6\r\nkill:*\r\n:1\r\n');
    expect(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(':2\r\n');
    expect(await sub1.waitClose()).toBe(true);
    expect(await sub2.waitClose()).toBe(true);
    expect(await plain.call('PING')).toBe('+PONG\r\n');
    for (const t of ['master', 'replica', 'slave', 'PUBSUB']) expect(await admin.call('CLIENT', 'KILL', 'TYPE', t)).toBe(':0\r\n');
    expect(await admin.call('CLIENT', 'KILL', 'TYPE', 'bogus')).toBe("-ERR Unknown client type 'bogus'\r\n");
    plain.close();
  });

  it('USER kills the clients authenticated as that user; an unknown user is an error', async () => {
    expect(await admin.call('ACL', 'SETUSER', 'killme', 'on', '>pw', '~*', '+@all')).toBe('+OK\r\n');
    const a = await open();
    const b = await open();
    const other = await open();
    expect(await a.call('AUTH', 'killme', 'pw')).toBe('+OK\r\n');
    expect(await b.call('HELLO', '2', 'AUTH', 'killme', 'pw')).toMatch(/^\*14\r\n/);
    expect(await admin.call('CLIENT', 'KILL', 'USER', 'killme')).toBe(':2\r\n');
    expect(await a.waitClose()).toBe(true);
    expect(await b.waitClose()).toBe(true);
    expect(await other.call('PING')).toBe('+PONG\r\n');
    expect(await admin.call('CLIENT', 'KILL', 'USER', 'nosuch')).toBe("-ERR No such user 'nosuch'\r\n");
    other.close();
  });

  it('ADDR matches the peer address exactly', async () => {
    const victim = await open();
    const id = await idOf(victim);
    expect(await admin.call('CLIENT', 'KILL', 'ADDR', '127.0.0.1:1')).toBe(':0\r\n');
    expect(await admin.call('CLIENT', 'KILL', 'ADDR', addrOf(victim))).toBe(':1\r\n');
    expect(await gone(id)).toBe(true);
    expect(await victim.waitClose()).toBe(true);
  });

  it('LADDR matches the local address: killing the unix-socket clients leaves the TCP ones', async () => {
    const unixsocket = join(dir, 'kill.sock');
    const s = await startServer({ unixsocket });
    const tcp = await RawClient.connect(s.port);
    const u1 = await RawClient.connect(unixsocket);
    const u2 = await RawClient.connect(unixsocket);
    await idOf(u1);
    await idOf(u2);
    expect(await tcp.call('CLIENT', 'KILL', 'LADDR', `${unixsocket}:0`)).toBe(':2\r\n');
    expect(await u1.waitClose()).toBe(true);
    expect(await u2.waitClose()).toBe(true);
    expect(await tcp.call('CLIENT', 'KILL', 'LADDR', '127.0.0.1:1')).toBe(':0\r\n');
    // The caller itself matches its own LADDR, but SKIPME yes (the default) spares it.
    expect(await tcp.call('CLIENT', 'KILL', 'LADDR', `127.0.0.1:${s.port}`)).toBe(':0\r\n');
    expect(await tcp.call('PING')).toBe('+PONG\r\n');
    tcp.close();
  });

  it('SKIPME yes (default) spares the caller; SKIPME no counts it, replies, then closes it', async () => {
    const c = await open();
    const id = await idOf(c);
    expect(await c.call('CLIENT', 'KILL', 'ID', String(id))).toBe(':0\r\n');
    expect(await c.call('CLIENT', 'KILL', 'ID', String(id), 'SKIPME', 'YES')).toBe(':0\r\n');
    expect(await c.call('CLIENT', 'KILL', 'ID', String(id), 'SKIPME', 'maybe')).toBe('-ERR syntax error\r\n');
    const start = c.received.length;
    c.write(Buffer.concat([resp('CLIENT', 'KILL', 'ID', String(id), 'SKIPME', 'no'), resp('SET', 'after-skipme-no', '1')]));
    expect(await c.waitClose()).toBe(true);
    expect(c.received.slice(start)).toBe(':1\r\n');
    expect(await admin.call('EXISTS', 'after-skipme-no')).toBe(':0\r\n');
  });

  it('MAXAGE selects clients at least that many seconds old; errors for bad values', async () => {
    const old = await open();
    const id = await idOf(old);
    const aged = await until(() => admin.call('CLIENT', 'LIST', 'ID', String(id)), (r) => clientList(r)[0]?.get('age') === '1', 2500, 50);
    expect(clientList(aged)[0].get('age')).toBe('1');
    expect(await admin.call('CLIENT', 'KILL', 'ID', String(id), 'MAXAGE', '100')).toBe(':0\r\n');
    expect(await admin.call('CLIENT', 'KILL', 'ID', String(id), 'MAXAGE', '1')).toBe(':1\r\n');
    expect(await old.waitClose()).toBe(true);
    expect(await admin.call('CLIENT', 'KILL', 'MAXAGE', 'x')).toBe('-ERR maxage is not an integer or out of range\r\n');
    expect(await admin.call('CLIENT', 'KILL', 'MAXAGE', '0')).toBe('-ERR maxage should be greater than 0\r\n');
    expect(await admin.call('CLIENT', 'KILL', 'MAXAGE', '-5')).toBe('-ERR maxage should be greater than 0\r\n');
  });

  it('several filters are ANDed', async () => {
    const a = await open();
    const b = await open();
    const [ia, ib] = [await idOf(a), await idOf(b)];
    expect(await admin.call('CLIENT', 'KILL', 'ADDR', addrOf(a), 'ID', String(ib))).toBe(':0\r\n');
    expect(await admin.call('CLIENT', 'KILL', 'ID', String(ia), 'TYPE', 'pubsub')).toBe(':0\r\n');
    expect(await admin.call('CLIENT', 'KILL', 'ID', String(ia), 'USER', 'default', 'TYPE', 'normal', 'ADDR', addrOf(a), 'LADDR', `127.0.0.1:${server.port}`)).toBe(':1\r\n');
    expect(await a.waitClose()).toBe(true);
    expect(await b.call('PING')).toBe('+PONG\r\n');
    b.close();
  });

  it('syntax errors: an option without its value, unknown options', async () => {
    const syntax = '-ERR syntax error\r\n';
    expect(await admin.call('CLIENT', 'KILL', 'ID', '4', 'SKIPME')).toBe(syntax);
    expect(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'ID')).toBe(syntax);
    expect(await admin.call('CLIENT', 'KILL', 'FOO', 'bar')).toBe(syntax);
    expect(await admin.call('CLIENT', 'KILL')).toBe("-ERR wrong number of arguments for 'client|kill' command\r\n");
    // With exactly one argument it is the old form, whatever the word.
    expect(await admin.call('CLIENT', 'KILL', 'ID')).toBe('-ERR No such client\r\n');
  });

  it('TYPE normal with SKIPME yes kills every normal client but the caller', async () => {
    const s = await startServer();
    const caller = await RawClient.connect(s.port);
    const others = await Promise.all([1, 2, 3].map(() => RawClient.connect(s.port)));
    for (const o of others) await idOf(o);
    const sub = await RawClient.connect(s.port);
    expect(await sub.call('SUBSCRIBE', 'stay')).toBe('*3\r\n$9\r\nsubscribe\r\n$4\r\nstay\r\n:1\r\n');
    expect(await caller.call('CLIENT', 'KILL', 'TYPE', 'normal')).toBe(':3\r\n');
    for (const o of others) expect(await o.waitClose()).toBe(true);
    expect(clientList(await caller.call('CLIENT', 'LIST')).map((l) => l.get('flags'))).toEqual(['N', 'P']);
    caller.close();
    sub.close();
  });
});

describe('killing clients with work in flight', () => {
  it('a client blocked in the middle of its pipeline: what came before ran, what came after never runs', async () => {
    const victim = await open();
    const id = await idOf(victim);
    const start = victim.received.length;
    victim.write(Buffer.concat([
      resp('SET', 'pipe:before', '1'),
      resp('BLPOP', 'pipe:never', '0'),
      resp('SET', 'pipe:after', '1'),
    ]));
    await until(() => admin.call('CLIENT', 'LIST', 'ID', String(id)), (r) => clientList(r)[0]?.get('flags') === 'b');
    expect(await admin.call('CLIENT', 'KILL', 'ID', String(id))).toBe(':1\r\n');
    expect(await victim.waitClose()).toBe(true);
    expect(victim.received.slice(start)).toBe('+OK\r\n');
    expect(await admin.call('MGET', 'pipe:before', 'pipe:after')).toBe('*2\r\n$1\r\n1\r\n$-1\r\n');
    // The list it waited on got no waiter left behind: a push stays in the list.
    expect(await admin.call('RPUSH', 'pipe:never', 'x')).toBe(':1\r\n');
    expect(await admin.call('LLEN', 'pipe:never')).toBe(':1\r\n');
  });

  it('a client killed while its long pipeline runs received an exact prefix of its replies; others are intact', async () => {
    const victim = await open();
    const id = await idOf(victim);
    const n = 200000;
    const one = resp('INCR', 'pipe:counter');
    const start = victim.received.length;
    victim.write(Buffer.concat(Array.from({ length: n }, () => one)));
    const other = await open();
    const otherStart = other.received.length;
    other.write(Buffer.concat(Array.from({ length: 1000 }, (_, i) => resp('ECHO', `m${i}`))));
    expect(await admin.call('CLIENT', 'KILL', 'ID', String(id))).toBe(':1\r\n');
    expect(await victim.waitClose()).toBe(true);
    let expected = '';
    for (let i = 1; i <= n; i++) expected += `:${i}\r\n`;
    const got = victim.received.slice(start);
    expect(expected.startsWith(got)).toBe(true);
    // Every reply the victim got was for an INCR that ran, and nothing runs after the kill.
    const counter = await admin.call('GET', 'pipe:counter');
    const ran = counter === '$-1\r\n' ? 0 : Number(counter.split('\r\n')[1]);
    expect(ran).toBeGreaterThanOrEqual(got.split('\r\n').length - 1);
    expect(ran).toBeLessThanOrEqual(n);
    // The victim is unlinked: a later round trip of another client still sees the same count.
    expect(await admin.call('PING')).toBe('+PONG\r\n');
    expect(await admin.call('GET', 'pipe:counter')).toBe(counter);
    let otherExpected = '';
    for (let i = 0; i < 1000; i++) otherExpected += `$${`m${i}`.length}\r\nm${i}\r\n`;
    await other.waitBytes(otherStart + otherExpected.length);
    expect(other.received.slice(otherStart)).toBe(otherExpected);
    other.close();
  });

  it('a client with megabytes of output pending is killed at once; its pending output is dropped', async () => {
    const size = 2 * 1024 * 1024;
    expect(await admin.call('SET', 'pending:big', Buffer.alloc(size, 'p'))).toBe('+OK\r\n');
    const victim = await open();
    const id = await idOf(victim);
    victim.socket.pause();
    const start = victim.received.length;
    const times = 16;
    victim.write(Buffer.concat(Array.from({ length: times }, () => resp('GET', 'pending:big'))));
    await until(() => admin.call('CLIENT', 'LIST', 'ID', String(id)), (r) => Number(clientList(r)[0]?.get('omem') ?? 0) > 0, 5000);
    const other = await open();
    const otherStart = other.received.length;
    other.write(Buffer.concat(Array.from({ length: 1000 }, (_, i) => resp('INCR', `pending:n${i % 10}`))));
    expect(await admin.call('CLIENT', 'KILL', 'ID', String(id))).toBe(':1\r\n');
    expect(await gone(id)).toBe(true);
    victim.socket.resume();
    expect(await victim.waitClose()).toBe(true);
    const one = `$${size}\r\n${'p'.repeat(size)}\r\n`;
    const got = victim.received.slice(start);
    expect(got.length).toBeLessThan(one.length * times);
    expect(one.repeat(times).startsWith(got)).toBe(true);
    let otherExpected = '';
    for (let i = 0; i < 1000; i++) otherExpected += `:${Math.floor(i / 10) + 1}\r\n`;
    await other.waitBytes(otherStart + otherExpected.length);
    expect(other.received.slice(otherStart)).toBe(otherExpected);
    other.close();
  });
});
