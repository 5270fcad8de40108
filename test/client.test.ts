// The rest of the CLIENT family end to end: ID, SETNAME/GETNAME, SETINFO, REPLY, NO-EVICT/NO-TOUCH,
// PAUSE/UNPAUSE, UNBLOCK, TRACKING (pushes, BCAST, OPTIN/OPTOUT, NOLOOP, REDIRECT, errors),
// GETREDIR, TRACKINGINFO, HELP. Byte for byte over raw sockets.
import { afterAll, describe, expect, it } from 'vitest';
import { bulkText, clientFields, clientId, clientList, RawClient, replayScenario, resp, startServer, until } from './helpers.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const server = await startServer();
const open = () => RawClient.connect(server.port);
// The file's first connection: Redis's first network client gets id 3 (1 and 2 are its internal clients).
const admin = await open();
const adminId = await clientId(admin);

async function flagsOf(id: number): Promise<string | undefined> {
  return clientList(await admin.call('CLIENT', 'LIST', 'ID', String(id)))[0]?.get('flags');
}

const invalidate = (...keys: string[]) => `>2\r\n$10\r\ninvalidate\r\n*${keys.length}\r\n${keys.map((k) => `$${k.length}\r\n${k}\r\n`).join('')}`;

describe('CLIENT ID', () => {
  it('the first connection gets id 3; ids increase and are never reused after disconnects', async () => {
    expect(adminId).toBe(3);
    const a = await open();
    const ia = await clientId(a);
    expect(ia).toBe(4);
    a.close();
    await until(() => admin.call('CLIENT', 'LIST', 'ID', String(ia)), (r) => r === '$0\r\n\r\n');
    const b = await open();
    expect(await clientId(b)).toBe(5);
    const c = await open();
    expect(await clientId(c)).toBe(6);
    b.close();
    c.close();
    const d = await open();
    expect(await clientId(d)).toBe(7);
    expect(await d.call('CLIENT', 'ID', 'extra')).toBe("-ERR wrong number of arguments for 'client|id' command\r\n");
    d.close();
  });
});

describe('CLIENT SETNAME / GETNAME', () => {
  it('GETNAME is null until a name is set; SETNAME replies +OK; an empty name removes it', async () => {
    const c = await open();
    expect(await c.call('CLIENT', 'GETNAME')).toBe('$-1\r\n');
    expect(await c.call('CLIENT', 'SETNAME', 'conn-A_1!~')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'GETNAME')).toBe('$10\r\nconn-A_1!~\r\n');
    expect(await c.call('CLIENT', 'SETNAME', '')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'GETNAME')).toBe('$-1\r\n');
    await c.call('HELLO', '3');
    expect(await c.call('CLIENT', 'GETNAME')).toBe('_\r\n');
    c.close();
  });

  it('names limited to bytes ! .. ~: spaces, newlines, control bytes, DEL and high bytes are refused', async () => {
    const c = await open();
    expect(await c.call('CLIENT', 'SETNAME', 'keep')).toBe('+OK\r\n');
    const err = '-ERR Client names cannot contain spaces, newlines or special characters.\r\n';
    for (const bad of ['a b', 'a\nb', 'a\rb', 'tab\t', '\x00', 'del\x7f', 'caf\xe9', '\x1f']) {
      expect(await c.call('CLIENT', 'SETNAME', bad)).toBe(err);
    }
    expect(await c.call('CLIENT', 'GETNAME')).toBe('$4\r\nkeep\r\n');
    expect(await c.call('HELLO', '2', 'SETNAME', 'bad name')).toBe(err);
    expect(await c.call('CLIENT', 'SETNAME')).toBe("-ERR wrong number of arguments for 'client|setname' command\r\n");
    expect(await c.call('CLIENT', 'GETNAME', 'x')).toBe("-ERR wrong number of arguments for 'client|getname' command\r\n");
    c.close();
  });
});

describe('CLIENT SETINFO', () => {
  it('LIB-NAME / LIB-VER in any case; unknown attribute; bad characters named as typed; empty clears', async () => {
    const c = await open();
    const id = await clientId(c);
    expect(await c.call('CLIENT', 'SETINFO', 'lib-name', 'jedis')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'SETINFO', 'LiB-VeR', '1.2.3')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'SETINFO', 'foo', 'bar')).toBe("-ERR Unrecognized option 'foo'\r\n");
    expect(await c.call('CLIENT', 'SETINFO', 'LIB-NAME', 'a b')).toBe('-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n');
    expect(await c.call('CLIENT', 'SETINFO', 'lib-ver', '1\n2')).toBe('-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n');
    let line = clientList(await admin.call('CLIENT', 'LIST', 'ID', String(id)))[0];
    expect([line.get('lib-name'), line.get('lib-ver')]).toEqual(['jedis', '1.2.3']);
    expect(await c.call('CLIENT', 'SETINFO', 'lib-name', '')).toBe('+OK\r\n');
    line = clientList(await admin.call('CLIENT', 'LIST', 'ID', String(id)))[0];
    expect([line.get('lib-name'), line.get('lib-ver')]).toEqual(['', '1.2.3']);
    expect(await c.call('CLIENT', 'SETINFO', 'lib-name')).toBe("-ERR wrong number of arguments for 'client|setinfo' command\r\n");
    c.close();
  });
});

describe('CLIENT REPLY', () => {
  it('OFF silences every reply until ON, which is answered', async () => {
    const c = await open();
    const start = c.received.length;
    c.write(Buffer.concat([
      resp('CLIENT', 'REPLY', 'OFF'), resp('SET', 'reply:off', '1'), resp('GET', 'reply:off'), resp('NOSUCH'),
      resp('CLIENT', 'REPLY', 'ON'), resp('GET', 'reply:off'),
    ]));
    expect(await c.replyAt(start, 2)).toBe('+OK\r\n$1\r\n1\r\n');
    expect(await c.beforePing()).toBe(c.received.slice(0, start) + '+OK\r\n$1\r\n1\r\n');
    c.close();
  });

  it('SKIP silences exactly the next command', async () => {
    const c = await open();
    const start = c.received.length;
    c.write(Buffer.concat([resp('CLIENT', 'REPLY', 'SKIP'), resp('PING', 'one'), resp('PING', 'two'), resp('PING', 'three')]));
    expect(await c.replyAt(start, 2)).toBe('$3\r\ntwo\r\n$5\r\nthree\r\n');
    // SKIP twice in a row: the second SKIP is itself skipped, then one more command.
    const again = c.received.length;
    c.write(Buffer.concat([resp('CLIENT', 'REPLY', 'SKIP'), resp('CLIENT', 'REPLY', 'SKIP'), resp('PING', 'a'), resp('PING', 'b')]));
    expect(await c.replyAt(again)).toBe('$1\r\nb\r\n');
    // SKIP while OFF does nothing: everything stays silent until ON.
    const off = c.received.length;
    c.write(Buffer.concat([resp('CLIENT', 'REPLY', 'OFF'), resp('CLIENT', 'REPLY', 'SKIP'), resp('PING', 'x'), resp('CLIENT', 'REPLY', 'ON'), resp('PING', 'y')]));
    expect(await c.replyAt(off, 2)).toBe('+OK\r\n$1\r\ny\r\n');
    c.close();
  });

  it('any other mode is a syntax error; arity', async () => {
    const c = await open();
    expect(await c.call('CLIENT', 'REPLY', 'maybe')).toBe('-ERR syntax error\r\n');
    expect(await c.call('CLIENT', 'REPLY')).toBe("-ERR wrong number of arguments for 'client|reply' command\r\n");
    c.close();
  });

  it('push data still arrives under OFF: subscribe confirmations, messages, tracking invalidations', async () => {
    const c = await open();
    const start = c.received.length;
    c.write(Buffer.concat([resp('HELLO', '3'), resp('CLIENT', 'REPLY', 'OFF'), resp('CLIENT', 'TRACKING', 'on'), resp('GET', 'off:key'), resp('SUBSCRIBE', 'off:ch')]));
    const got = await c.replyAt(start, 2);
    expect(got.startsWith('%7\r\n')).toBe(true);
    expect(got.endsWith('$7\r\nmodules\r\n*0\r\n>3\r\n$9\r\nsubscribe\r\n$6\r\noff:ch\r\n:1\r\n')).toBe(true);
    const pushes = c.received.length;
    expect(await admin.call('PUBLISH', 'off:ch', 'hello')).toBe(':1\r\n');
    expect(await admin.call('SET', 'off:key', 'v')).toBe('+OK\r\n');
    expect(await c.replyAt(pushes, 2)).toBe('>3\r\n$7\r\nmessage\r\n$6\r\noff:ch\r\n$5\r\nhello\r\n' + invalidate('off:key'));
    // Replies stay off meanwhile: the PING gets nothing, the CLIENT REPLY ON after it gets +OK.
    const quiet = c.received.length;
    c.write(Buffer.concat([resp('PING'), resp('CLIENT', 'REPLY', 'ON')]));
    expect(await c.replyAt(quiet)).toBe('+OK\r\n');
    c.close();
  });
});

describe('CLIENT NO-EVICT / NO-TOUCH', () => {
  it('ON and OFF in any case reply +OK; anything else is a syntax error', async () => {
    const c = await open();
    for (const sub of ['NO-EVICT', 'no-touch']) {
      for (const v of ['on', 'OFF', 'On', 'off']) expect(await c.call('CLIENT', sub, v)).toBe('+OK\r\n');
      for (const v of ['yes', '1', '']) expect(await c.call('CLIENT', sub, v)).toBe('-ERR syntax error\r\n');
      expect(await c.call('CLIENT', sub)).toBe(`-ERR wrong number of arguments for 'client|${sub.toLowerCase()}' command\r\n`);
    }
    c.close();
  });
});

describe('CLIENT PAUSE / UNPAUSE', () => {
  it('WRITE lets reads through and holds writes (flag b) until the pause ends by itself', async () => {
    const w = await open();
    const wid = await clientId(w);
    const r = await open();
    expect(await admin.call('SET', 'pause:k', 'old')).toBe('+OK\r\n');
    const t0 = Date.now();
    expect(await admin.call('CLIENT', 'PAUSE', '400', 'WRITE')).toBe('+OK\r\n');
    const start = w.received.length;
    w.write(resp('SET', 'pause:k', 'new'));
    expect(await r.call('GET', 'pause:k')).toBe('$3\r\nold\r\n');
    expect(await r.call('PING')).toBe('+PONG\r\n');
    expect(await until(() => flagsOf(wid), (f) => f === 'b')).toBe('b');
    expect(w.received.slice(start)).toBe('');
    expect(await w.replyAt(start, 1, 3000)).toBe('+OK\r\n');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
    expect(await r.call('GET', 'pause:k')).toBe('$3\r\nnew\r\n');
    expect(await flagsOf(wid)).toBe('N');
    w.close();
    r.close();
  });

  it('WRITE also holds PUBLISH and commands queued in MULTI (their +QUEUED comes late); UNPAUSE releases them', async () => {
    const w = await open();
    const wid = await clientId(w);
    expect(await admin.call('CLIENT', 'PAUSE', '10000', 'WRITE')).toBe('+OK\r\n');
    const start = w.received.length;
    w.write(Buffer.concat([resp('MULTI'), resp('SET', 'pause:m', '1'), resp('EXEC'), resp('PUBLISH', 'pause:ch', 'x')]));
    expect(await w.replyAt(start)).toBe('+OK\r\n');
    expect(await until(() => flagsOf(wid), (f) => f === 'xb')).toBe('xb');
    // Held before it was queued: the server counts nothing in its MULTI, so no +QUEUED was made.
    expect(clientList(await admin.call('CLIENT', 'LIST', 'ID', String(wid)))[0]?.get('multi')).toBe('0');
    expect(w.received).toBe(w.received.slice(0, start) + '+OK\r\n');
    expect(await admin.call('CLIENT', 'UNPAUSE')).toBe('+OK\r\n');
    expect(await w.replyAt(start, 4)).toBe('+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n:0\r\n');
    w.close();
  });

  it('ALL holds every command, CLIENT UNPAUSE included, until the pause ends', async () => {
    const other = await open();
    const oid = await clientId(other);
    const t0 = Date.now();
    const start = admin.received.length;
    admin.write(Buffer.concat([resp('CLIENT', 'PAUSE', '400', 'ALL'), resp('CLIENT', 'UNPAUSE')]));
    const os = other.received.length;
    other.write(resp('GET', 'pause:k'));
    expect(await admin.replyAt(start, 2)).toBe('+OK\r\n+OK\r\n');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
    expect(await other.replyAt(os)).toBe('$3\r\nnew\r\n');
    expect(await flagsOf(oid)).toBe('N');
    other.close();
  });

  it('the default mode is ALL; PAUSE 0 on an idle server does nothing', async () => {
    const other = await open();
    expect(await admin.call('CLIENT', 'PAUSE', '0')).toBe('+OK\r\n');
    expect(await other.call('PING')).toBe('+PONG\r\n');
    const t0 = Date.now();
    expect(await admin.call('CLIENT', 'PAUSE', '200')).toBe('+OK\r\n');
    expect(await other.call('PING')).toBe('+PONG\r\n');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
    other.close();
  });

  it('errors: mode, timeout not an integer, negative; arity', async () => {
    expect(await admin.call('CLIENT', 'PAUSE', '10', 'BOGUS')).toBe('-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n');
    // The mode is checked before the timeout.
    expect(await admin.call('CLIENT', 'PAUSE', 'abc', 'BOGUS')).toBe('-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n');
    expect(await admin.call('CLIENT', 'PAUSE', 'abc')).toBe('-ERR timeout is not an integer or out of range\r\n');
    expect(await admin.call('CLIENT', 'PAUSE', '1.5')).toBe('-ERR timeout is not an integer or out of range\r\n');
    expect(await admin.call('CLIENT', 'PAUSE', '-1')).toBe('-ERR timeout is negative\r\n');
    // A 64-bit value whose end time would overflow, and one that is not a 64-bit integer at all.
    expect(await admin.call('CLIENT', 'PAUSE', '9223372036854775807')).toBe('-ERR timeout is out of range\r\n');
    expect(await admin.call('CLIENT', 'PAUSE', '9223372036854775808')).toBe('-ERR timeout is not an integer or out of range\r\n');
    expect(await admin.call('CLIENT', 'PAUSE')).toBe("-ERR wrong number of arguments for 'client|pause' command\r\n");
    expect(await admin.call('CLIENT', 'PAUSE', '10', 'ALL', 'extra')).toBe("-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n");
    expect(await admin.call('CLIENT', 'UNPAUSE', 'x')).toBe("-ERR wrong number of arguments for 'client|unpause' command\r\n");
    expect(await admin.call('PING')).toBe('+PONG\r\n');
  });
});

describe('CLIENT UNBLOCK', () => {
  it('TIMEOUT: the BLPOP client gets its timeout reply (null array), the rest of its pipeline runs', async () => {
    const b = await open();
    const id = await clientId(b);
    const start = b.received.length;
    b.write(Buffer.concat([resp('BLPOP', 'unblock:l', '0'), resp('PING')]));
    await until(() => flagsOf(id), (f) => f === 'b');
    expect(await admin.call('CLIENT', 'UNBLOCK', String(id))).toBe(':1\r\n');
    expect(await b.replyAt(start, 2)).toBe('*-1\r\n+PONG\r\n');
    expect(await admin.call('CLIENT', 'UNBLOCK', String(id), 'TIMEOUT')).toBe(':0\r\n');
    const again = b.received.length;
    b.write(resp('BLPOP', 'unblock:l', '0'));
    await until(() => flagsOf(id), (f) => f === 'b');
    expect(await admin.call('CLIENT', 'UNBLOCK', String(id), 'timeout')).toBe(':1\r\n');
    expect(await b.replyAt(again)).toBe('*-1\r\n');
    b.close();
  });

  it('ERROR: the BLPOP client gets -UNBLOCKED and its command is abandoned', async () => {
    const b = await open();
    const id = await clientId(b);
    const start = b.received.length;
    b.write(Buffer.concat([resp('BLPOP', 'unblock:e', '0'), resp('ECHO', 'next')]));
    await until(() => flagsOf(id), (f) => f === 'b');
    expect(await admin.call('CLIENT', 'UNBLOCK', String(id), 'ERROR')).toBe(':1\r\n');
    expect(await b.replyAt(start, 2)).toBe('-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n$4\r\nnext\r\n');
    // It no longer waits: a push stays in the list.
    expect(await admin.call('RPUSH', 'unblock:e', 'v')).toBe(':1\r\n');
    expect(await admin.call('LLEN', 'unblock:e')).toBe(':1\r\n');
    b.close();
  });

  it(':0 for a client that is not blocked or does not exist; errors', async () => {
    expect(await admin.call('CLIENT', 'UNBLOCK', String(adminId))).toBe(':0\r\n');
    expect(await admin.call('CLIENT', 'UNBLOCK', '999999', 'ERROR')).toBe(':0\r\n');
    expect(await admin.call('CLIENT', 'UNBLOCK', '-1')).toBe(':0\r\n');
    // The reason is checked before the id.
    expect(await admin.call('CLIENT', 'UNBLOCK', 'abc', 'BOGUS')).toBe('-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n');
    expect(await admin.call('CLIENT', 'UNBLOCK', 'abc')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await admin.call('CLIENT', 'UNBLOCK', '1', 'ERROR', 'x')).toBe("-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n");
    expect(await admin.call('CLIENT', 'UNBLOCK')).toBe("-ERR wrong number of arguments for 'client|unblock' command\r\n");
  });

  it('a client held by CLIENT PAUSE: ERROR drops its command; TIMEOUT gives 0 and the server stays up', async () => {
    const p = await open();
    const id = await clientId(p);
    expect(await admin.call('CLIENT', 'PAUSE', '10000', 'WRITE')).toBe('+OK\r\n');
    const start = p.received.length;
    p.write(Buffer.concat([resp('SET', 'unblock:paused', '1'), resp('GET', 'unblock:paused')]));
    await until(() => flagsOf(id), (f) => f === 'b');
    // TIMEOUT would crash Redis here ([BUG] in the reference); it just cannot be unblocked that way.
    expect(await admin.call('CLIENT', 'UNBLOCK', String(id), 'TIMEOUT')).toBe(':0\r\n');
    expect(await admin.call('PING')).toBe('+PONG\r\n');
    expect(await flagsOf(id)).toBe('b');
    expect(await admin.call('CLIENT', 'UNBLOCK', String(id), 'ERROR')).toBe(':1\r\n');
    expect(await p.replyAt(start, 2)).toBe('-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n$-1\r\n');
    expect(await admin.call('CLIENT', 'UNPAUSE')).toBe('+OK\r\n');
    expect(await admin.call('EXISTS', 'unblock:paused')).toBe(':0\r\n');
    p.close();
  });
});

describe('CLIENT TRACKING', () => {
  it('RESP3: a key read is invalidated once, by push, when another client changes it', async () => {
    const c = await open();
    await c.call('HELLO', '3');
    expect(await c.call('CLIENT', 'TRACKING', 'on')).toBe('+OK\r\n');
    expect(await c.call('GET', 'trk:a')).toBe('_\r\n');
    expect(await c.call('MGET', 'trk:b', 'trk:c')).toBe('*2\r\n_\r\n_\r\n');
    const start = c.received.length;
    expect(await admin.call('SET', 'trk:a', '1')).toBe('+OK\r\n');
    expect(await c.replyAt(start)).toBe(invalidate('trk:a'));
    // Not read again since: no second invalidation.
    expect(await admin.call('SET', 'trk:a', '2')).toBe('+OK\r\n');
    expect(await admin.call('DEL', 'trk:c')).toBe(':0\r\n');
    expect(await admin.call('SET', 'trk:c', 'x')).toBe('+OK\r\n');
    expect(await c.replyAt(start, 2)).toBe(invalidate('trk:a') + invalidate('trk:c'));
    expect(await c.beforePing()).toBe(c.received.slice(0, start) + invalidate('trk:a') + invalidate('trk:c'));
    c.close();
  });

  it('a client changing a key it tracks gets the invalidation after its own reply; NOLOOP suppresses it', async () => {
    const c = await open();
    await c.call('HELLO', '3');
    expect(await c.call('CLIENT', 'TRACKING', 'on')).toBe('+OK\r\n');
    expect(await c.call('GET', 'loop:k')).toBe('_\r\n');
    const start = c.received.length;
    c.write(resp('SET', 'loop:k', 'v'));
    expect(await c.replyAt(start, 2)).toBe('+OK\r\n' + invalidate('loop:k'));
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'NOLOOP')).toBe('+OK\r\n');
    expect(await c.call('GET', 'loop:k')).toBe('$1\r\nv\r\n');
    expect(await c.call('SET', 'loop:k', 'w')).toBe('+OK\r\n');
    expect(await c.call('GET', 'loop:k')).toBe('$1\r\nw\r\n');
    const other = c.received.length;
    expect(await admin.call('SET', 'loop:k', 'z')).toBe('+OK\r\n');
    expect(await c.replyAt(other)).toBe(invalidate('loop:k'));
    c.close();
  });

  it('BCAST with PREFIX: every change under the prefix, one message per prefix with the keys sorted', async () => {
    const c = await open();
    await c.call('HELLO', '3');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'bc:', 'PREFIX', 'other:')).toBe('+OK\r\n');
    const start = c.received.length;
    expect(await admin.call('SET', 'bc:1', 'x')).toBe('+OK\r\n');
    expect(await c.replyAt(start)).toBe(invalidate('bc:1'));
    const next = c.received.length;
    expect(await admin.call('SET', 'nobc:1', 'x')).toBe('+OK\r\n');
    expect(await admin.call('MSET', 'bc:z', '1', 'bc:a', '2', 'zz', '3')).toBe('+OK\r\n');
    expect(await c.replyAt(next)).toBe(invalidate('bc:a', 'bc:z'));
    c.close();
  });

  it('BCAST without PREFIX covers every key', async () => {
    const c = await open();
    await c.call('HELLO', '3');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'BCAST')).toBe('+OK\r\n');
    const start = c.received.length;
    expect(await admin.call('SET', 'anything', 'x')).toBe('+OK\r\n');
    expect(await c.replyAt(start)).toBe(invalidate('anything'));
    c.close();
  });

  it('OPTIN: only keys read right after CLIENT CACHING yes are tracked', async () => {
    const c = await open();
    await c.call('HELLO', '3');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'OPTIN')).toBe('+OK\r\n');
    expect(await c.call('GET', 'optin:no')).toBe('_\r\n');
    expect(await c.call('CLIENT', 'CACHING', 'yes')).toBe('+OK\r\n');
    expect(await c.call('GET', 'optin:yes')).toBe('_\r\n');
    expect(await c.call('GET', 'optin:later')).toBe('_\r\n');
    const start = c.received.length;
    expect(await admin.call('MSET', 'optin:no', '1', 'optin:later', '1', 'optin:yes', '1')).toBe('+OK\r\n');
    expect(await c.replyAt(start)).toBe(invalidate('optin:yes'));
    expect(await c.beforePing()).toBe(c.received.slice(0, start) + invalidate('optin:yes'));
    c.close();
  });

  it('OPTOUT: keys read right after CLIENT CACHING no are not tracked', async () => {
    const c = await open();
    await c.call('HELLO', '3');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'OPTOUT')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'CACHING', 'no')).toBe('+OK\r\n');
    expect(await c.call('GET', 'optout:skip')).toBe('_\r\n');
    expect(await c.call('GET', 'optout:track')).toBe('_\r\n');
    const start = c.received.length;
    expect(await admin.call('MSET', 'optout:skip', '1', 'optout:track', '1')).toBe('+OK\r\n');
    expect(await c.replyAt(start)).toBe(invalidate('optout:track'));
    c.close();
  });

  it('REDIRECT to a RESP2 client subscribed to __redis__:invalidate: invalidations arrive as messages there', async () => {
    const sink = await open();
    const sinkId = await clientId(sink);
    expect(await sink.call('SUBSCRIBE', '__redis__:invalidate')).toBe('*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n');
    const c = await open();
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(sinkId))).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'GETREDIR')).toBe(`:${sinkId}\r\n`);
    expect(await c.call('GET', 'redir:k')).toBe('$-1\r\n');
    const start = sink.received.length;
    expect(await admin.call('SET', 'redir:k', '1')).toBe('+OK\r\n');
    expect(await sink.replyAt(start)).toBe('*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$7\r\nredir:k\r\n');
    // A flush is a null: $-1, shaped by the tracking client's RESP2.
    const flush = sink.received.length;
    expect(await admin.call('FLUSHALL')).toBe('+OK\r\n');
    expect(await sink.replyAt(flush)).toBe('*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n');
    // The tracking client itself got nothing: its last reply is still GET's.
    expect((await c.beforePing()).endsWith('$-1\r\n')).toBe(true);
    c.close();
    sink.close();
  });

  it('FLUSHALL sends every tracking client one null invalidation', async () => {
    const c = await open();
    await c.call('HELLO', '3');
    expect(await c.call('CLIENT', 'TRACKING', 'on')).toBe('+OK\r\n');
    const start = c.received.length;
    expect(await admin.call('FLUSHALL')).toBe('+OK\r\n');
    expect(await c.replyAt(start)).toBe('>2\r\n$10\r\ninvalidate\r\n_\r\n');
    expect(await c.beforePing()).toBe(c.received.slice(0, start) + '>2\r\n$10\r\ninvalidate\r\n_\r\n');
    c.close();
  });

  it('a RESP3 client whose redirect target is gone is told so by push (tracking-redir-broken)', async () => {
    const target = await open();
    const targetId = await clientId(target);
    const c = await open();
    await c.call('HELLO', '3');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(targetId))).toBe('+OK\r\n');
    expect(await c.call('GET', 'broken:k')).toBe('_\r\n');
    target.close();
    await until(() => admin.call('CLIENT', 'LIST', 'ID', String(targetId)), (r) => r === '$0\r\n\r\n');
    const start = c.received.length;
    expect(await admin.call('SET', 'broken:k', '1')).toBe('+OK\r\n');
    const broken = `>2\r\n$21\r\ntracking-redir-broken\r\n:${targetId}\r\n`;
    expect(await c.replyAt(start)).toBe(broken);
    c.close();
  });

  it('every error of CLIENT TRACKING', async () => {
    const c = await open();
    const id = await clientId(c);
    const e = async (expected: string, ...args: string[]) => expect(await c.call('CLIENT', 'TRACKING', ...args)).toBe(`-ERR ${expected}\r\n`);
    await e('A client can only redirect to a single other client', 'on', 'REDIRECT', String(adminId), 'REDIRECT', String(adminId));
    await e('The client ID you want redirect to does not exist', 'on', 'REDIRECT', '999999');
    await e('The client ID you want redirect to does not exist', 'on', 'REDIRECT', '0');
    // Options are checked before ON/OFF.
    await e('The client ID you want redirect to does not exist', 'off', 'REDIRECT', '999999');
    await e('value is not an integer or out of range', 'on', 'REDIRECT', 'abc');
    await e('syntax error', 'on', 'REDIRECT');
    await e('syntax error', 'on', 'BCAST', 'PREFIX');
    await e('syntax error', 'on', 'BOGUS');
    await e('syntax error', 'maybe');
    await e('PREFIX option requires BCAST mode to be enabled', 'on', 'PREFIX', 'a');
    await e('OPTIN and OPTOUT are not compatible with BCAST', 'on', 'BCAST', 'OPTIN');
    await e('OPTIN and OPTOUT are not compatible with BCAST', 'on', 'BCAST', 'OPTOUT');
    await e("You can't specify both OPTIN mode and OPTOUT mode", 'on', 'OPTIN', 'OPTOUT');
    await e("Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must not overlap.", 'on', 'BCAST', 'PREFIX', 'a', 'PREFIX', 'ab');
    await e("Prefix 'ab' overlaps with another provided prefix 'a'. Prefixes for a single client must not overlap.", 'on', 'BCAST', 'PREFIX', 'ab', 'PREFIX', 'a');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'OPTIN')).toBe('+OK\r\n');
    await e("You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.", 'on', 'OPTOUT');
    await e("You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.", 'on', 'BCAST');
    expect(await c.call('CLIENT', 'TRACKING', 'off')).toBe('+OK\r\n');
    // OFF when tracking is already off is fine.
    expect(await c.call('CLIENT', 'TRACKING', 'OFF')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'ab')).toBe('+OK\r\n');
    await e("Prefix 'a' overlaps with an existing prefix 'ab'. Prefixes for a single client must not overlap.", 'on', 'BCAST', 'PREFIX', 'a');
    await e("Prefix 'abc' overlaps with an existing prefix 'ab'. Prefixes for a single client must not overlap.", 'on', 'BCAST', 'PREFIX', 'abc');
    await e("You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.", 'on');
    expect(await c.call('CLIENT', 'TRACKING', 'off')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKING')).toBe("-ERR wrong number of arguments for 'client|tracking' command\r\n");
    expect(await flagsOf(id)).toBe('N');
    c.close();
  });

  it('CLIENT CACHING errors', async () => {
    const c = await open();
    const e = async (expected: string, v: string) => expect(await c.call('CLIENT', 'CACHING', v)).toBe(`-ERR ${expected}\r\n`);
    await e('CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled', 'yes');
    expect(await c.call('CLIENT', 'TRACKING', 'on')).toBe('+OK\r\n');
    await e('CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled', 'yes');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'OPTIN')).toBe('+OK\r\n');
    await e('CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.', 'no');
    await e('syntax error', 'maybe');
    expect(await c.call('CLIENT', 'TRACKING', 'off')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'OPTOUT')).toBe('+OK\r\n');
    await e('CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.', 'yes');
    expect(await c.call('CLIENT', 'CACHING', 'NO')).toBe('+OK\r\n');
    c.close();
  });
});

describe('CLIENT GETREDIR and CLIENT TRACKINGINFO', () => {
  it('GETREDIR: -1 when not tracking, 0 without a redirect, the id with one', async () => {
    const c = await open();
    expect(await c.call('CLIENT', 'GETREDIR')).toBe(':-1\r\n');
    expect(await c.call('CLIENT', 'TRACKING', 'on')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'GETREDIR')).toBe(':0\r\n');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(adminId))).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'GETREDIR')).toBe(`:${adminId}\r\n`);
    // Turning it on again without REDIRECT drops the redirect (enableTracking replaces it).
    expect(await c.call('CLIENT', 'TRACKING', 'on')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'GETREDIR')).toBe(':0\r\n');
    expect(await c.call('CLIENT', 'TRACKING', 'off')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'GETREDIR')).toBe(':-1\r\n');
    c.close();
  });

  it('TRACKINGINFO off, in RESP2 and RESP3', async () => {
    const c = await open();
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe('*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n');
    await c.call('HELLO', '3');
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe('%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n');
    c.close();
  });

  it('TRACKINGINFO flags in order, redirect, and BCAST prefixes sorted', async () => {
    const c = await open();
    const f = (flags: string[], redirect: number, prefixes: string[] = []) =>
      `*6\r\n$5\r\nflags\r\n*${flags.length}\r\n${flags.map((x) => `$${x.length}\r\n${x}\r\n`).join('')}` +
      `$8\r\nredirect\r\n:${redirect}\r\n$8\r\nprefixes\r\n*${prefixes.length}\r\n${prefixes.map((x) => `$${x.length}\r\n${x}\r\n`).join('')}`;
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'OPTIN', 'NOLOOP', 'REDIRECT', String(adminId))).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe(f(['on', 'optin', 'noloop'], adminId));
    expect(await c.call('CLIENT', 'CACHING', 'yes')).toBe('+OK\r\n');
    // CACHING lasts for the next command, but other CLIENT subcommands do not use it up.
    expect(await c.call('CLIENT', 'GETREDIR')).toBe(`:${adminId}\r\n`);
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe(f(['on', 'optin', 'caching-yes', 'noloop'], adminId));
    expect(await c.call('PING')).toBe('+PONG\r\n');
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe(f(['on', 'optin', 'noloop'], adminId));
    expect(await c.call('CLIENT', 'CACHING', 'yes')).toBe('+OK\r\n');
    // Re-enabling replaces OPTIN/NOLOOP and the redirect with what is given now.
    expect(await c.call('CLIENT', 'TRACKING', 'on')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe(f(['on'], 0));
    expect(await c.call('CLIENT', 'TRACKING', 'off')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'OPTOUT')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'CACHING', 'no')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe(f(['on', 'optout', 'caching-no'], 0));
    expect(await c.call('CLIENT', 'TRACKING', 'off')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'zz', 'PREFIX', 'aa')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'mm')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe(f(['on', 'bcast'], 0, ['aa', 'mm', 'zz']));
    expect(await c.call('CLIENT', 'TRACKING', 'off')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'BCAST')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe(f(['on', 'bcast'], 0, ['']));
    c.close();
  });

  it('TRACKINGINFO shows broken_redirect once the target is gone', async () => {
    const target = await open();
    const targetId = await clientId(target);
    const c = await open();
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(targetId))).toBe('+OK\r\n');
    expect(await c.call('GET', 'bro:k')).toBe('$-1\r\n');
    target.close();
    await until(() => admin.call('CLIENT', 'LIST', 'ID', String(targetId)), (r) => r === '$0\r\n\r\n');
    expect(await admin.call('SET', 'bro:k', '1')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe(
      `*6\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n$8\r\nredirect\r\n:${targetId}\r\n$8\r\nprefixes\r\n*0\r\n`,
    );
    c.close();
  });
});

describe('CLIENT HELP', () => {
  it('58 status lines, from the usage line to HELP', async () => {
    const r = await admin.call('CLIENT', 'HELP');
    const lines = r.split('\r\n').slice(1, -1);
    expect(r.startsWith('*58\r\n')).toBe(true);
    expect(lines).toHaveLength(58);
    for (const l of lines) expect(l[0]).toBe('+');
    expect(lines[0]).toBe('+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(lines.slice(-2)).toEqual(['+HELP', '+    Print this help.']);
    expect(await admin.call('CLIENT', 'HELP', 'x')).toBe("-ERR wrong number of arguments for 'client|help' command\r\n");
    expect(await admin.call('CLIENT', 'BOGUS')).toBe("-ERR unknown subcommand 'BOGUS'. Try CLIENT HELP.\r\n");
    expect(await admin.call('CLIENT')).toBe("-ERR wrong number of arguments for 'client' command\r\n");
  });
});

describe('CLIENT KILL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'respd-client-kill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const server = await startServer();
  const open = () => RawClient.connect(server.port);
  const admin = await open();

  const addrOf = (c: RawClient) => `127.0.0.1:${c.socket.localPort}`;

  /** True when the server no longer lists client `id` (a killed client is freed at once). */
  async function gone(id: number, by = admin): Promise<boolean> {
    return (await by.call('CLIENT', 'LIST', 'ID', String(id))) === '$0\r\n\r\n';
  }

  describe('old form: CLIENT KILL <addr>', () => {
    it('kills the client with that peer address: +OK, its connection closes, it is gone from the list', async () => {
      const victim = await open();
      const id = await clientId(victim);
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
      const id = await clientId(victim);
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
      const id = await clientId(victim);
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
      await clientId(u1);
      await clientId(u2);
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
      const id = await clientId(c);
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
      const id = await clientId(old);
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
      const [ia, ib] = [await clientId(a), await clientId(b)];
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
      for (const o of others) await clientId(o);
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
      const id = await clientId(victim);
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
      const id = await clientId(victim);
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
      const id = await clientId(victim);
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


});

describe('CLIENT LIST and CLIENT INFO', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'respd-client-list-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const unixsocket = join(dir, 'respd.sock');
  const server = await startServer({ unixsocket });
  const open = () => RawClient.connect(server.port);
  const observer = await open();

  const FIELD_ORDER = [
    'id', 'addr', 'laddr', 'fd', 'name', 'age', 'idle', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'watch',
    'qbuf', 'qbuf-free', 'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem', 'events', 'cmd',
    'user', 'redir', 'resp', 'lib-name', 'lib-ver',
  ];

  /** Another client's line, as the observer sees it. */
  async function lineOf(id: number): Promise<Map<string, string>> {
    const lines = clientList(await observer.call('CLIENT', 'LIST', 'ID', String(id)));
    expect(lines).toHaveLength(1);
    return lines[0];
  }

  /** Polls another client's line until `field` has `value` (for states entered without a reply). */
  async function lineWhen(id: number, field: string, value: string): Promise<Map<string, string>> {
    return until(() => lineOf(id), (l) => l.get(field) === value);
  }

  async function flagsOf(id: number): Promise<string> {
    return (await lineOf(id)).get('flags')!;
  }

  describe('the line', () => {
    it('CLIENT INFO: every field in Redis\'s order, exact values for a fresh client', async () => {
      const c = await open();
      const reply = await c.call('CLIENT', 'INFO');
      const text = bulkText(reply);
      expect(reply).toBe(`$${text.length}\r\n${text}\r\n`);
      expect(text.endsWith('\n')).toBe(true);
      expect(text.indexOf('\n')).toBe(text.length - 1);
      const f = clientFields(text);
      expect([...f.keys()]).toEqual(FIELD_ORDER);
      expect(text).toMatch(
        /^id=\d+ addr=\S+ laddr=\S+ fd=\d+ name= age=\d+ idle=\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 watch=0 qbuf=\d+ qbuf-free=\d+ argv-mem=10 multi-mem=0 rbs=\d+ rbp=\d+ obl=\d+ oll=0 omem=0 tot-mem=\d+ events=r cmd=client\|info user=default redir=-1 resp=2 lib-name= lib-ver=\n$/,
      );
      expect(f.get('id')).toBe(String(await clientId(c)));
      expect(f.get('addr')).toBe(`127.0.0.1:${c.socket.localPort}`);
      expect(f.get('laddr')).toBe(`127.0.0.1:${server.port}`);
      expect(f.get('age')).toBe('0');
      expect(f.get('idle')).toBe('0');
      c.close();
    });

    it('CLIENT LIST: one line per client, each ending in \\n, the caller included', async () => {
      const a = await open();
      const b = await open();
      const ids = [await clientId(a), await clientId(b)];
      const reply = await a.call('CLIENT', 'LIST');
      const text = bulkText(reply);
      expect(reply).toBe(`$${text.length}\r\n${text}\r\n`);
      const lines = clientList(reply);
      expect(text.split('\n').length).toBe(lines.length + 1);
      for (const l of lines) expect([...l.keys()]).toEqual(FIELD_ORDER);
      const listed = lines.map((l) => Number(l.get('id')));
      expect(listed).toEqual(expect.arrayContaining(ids));
      // The caller shows its own command and arguments; an idle client shows none.
      const self = lines.find((l) => l.get('id') === String(ids[0]))!;
      expect(self.get('cmd')).toBe('client|list');
      expect(self.get('argv-mem')).toBe('10');
      const other = lines.find((l) => l.get('id') === String(ids[1]))!;
      expect(other.get('cmd')).toBe('client|id');
      expect(other.get('argv-mem')).toBe('0');
      a.close();
      b.close();
    });

    it('cmd: NULL for a client that sent nothing, then the last command\'s full name', async () => {
      const fresh = await open();
      const addr = `127.0.0.1:${fresh.socket.localPort}`;
      const lines = await until(() => observer.call('CLIENT', 'LIST'), (r) => clientList(r).some((l) => l.get('addr') === addr));
      const line = clientList(lines).find((l) => l.get('addr') === addr)!;
      expect(line.get('cmd')).toBe('NULL');
      const id = Number(line.get('id'));
      expect(await fresh.call('GET', 'nothing')).toBe('$-1\r\n');
      expect((await lineOf(id)).get('cmd')).toBe('get');
      expect(await fresh.call('CONFIG', 'GET', 'nothing')).toBe('*0\r\n');
      expect((await lineOf(id)).get('cmd')).toBe('config|get');
      // An unknown command leaves NULL: lookupCommand found nothing.
      expect(await fresh.call('NOSUCH')).toBe("-ERR unknown command 'NOSUCH', with args beginning with: \r\n");
      expect((await lineOf(id)).get('cmd')).toBe('NULL');
      fresh.close();
    });

    it('name after CLIENT SETNAME, db after SELECT', async () => {
      const c = await open();
      const id = await clientId(c);
      expect(await c.call('CLIENT', 'SETNAME', 'worker-1')).toBe('+OK\r\n');
      expect(await c.call('SELECT', '9')).toBe('+OK\r\n');
      const f = await lineOf(id);
      expect(f.get('name')).toBe('worker-1');
      expect(f.get('db')).toBe('9');
      expect(f.get('cmd')).toBe('select');
      c.close();
    });

    it('multi=3 after three queued commands (flag x), multi-mem counts their arguments; -1 otherwise', async () => {
      const c = await open();
      const id = await clientId(c);
      expect((await lineOf(id)).get('multi')).toBe('-1');
      expect(await c.call('MULTI')).toBe('+OK\r\n');
      expect((await lineOf(id)).get('multi')).toBe('0');
      expect(await c.call('SET', 'a', '1')).toBe('+QUEUED\r\n');
      expect(await c.call('GET', 'a')).toBe('+QUEUED\r\n');
      expect(await c.call('INCR', 'a')).toBe('+QUEUED\r\n');
      const f = await lineOf(id);
      expect(f.get('multi')).toBe('3');
      expect(f.get('flags')).toBe('x');
      // (3+1+1 + 3*8) + (3+1 + 2*8) + (4+1 + 2*8): argument bytes plus a pointer per argument.
      expect(f.get('multi-mem')).toBe('70');
      expect(f.get('cmd')).toBe('incr');
      expect(await c.call('DISCARD')).toBe('+OK\r\n');
      const g = await lineOf(id);
      expect(g.get('multi')).toBe('-1');
      expect(g.get('multi-mem')).toBe('0');
      expect(g.get('flags')).toBe('N');
      c.close();
    });

    it('watch=2 after WATCH of two keys (a key watched twice counts once); 0 after UNWATCH', async () => {
      const c = await open();
      const id = await clientId(c);
      expect(await c.call('WATCH', 'w1', 'w2')).toBe('+OK\r\n');
      expect(await c.call('WATCH', 'w1')).toBe('+OK\r\n');
      expect((await lineOf(id)).get('watch')).toBe('2');
      expect(await c.call('UNWATCH')).toBe('+OK\r\n');
      expect((await lineOf(id)).get('watch')).toBe('0');
      c.close();
    });

    it('sub=2 psub=1 ssub=1 and flag P while subscribed; N again when the last one goes', async () => {
      const c = await open();
      const id = await clientId(c);
      const start = c.received.length;
      c.write(resp('SUBSCRIBE', 'c1', 'c2'));
      expect(await c.replyAt(start, 2)).toBe('*3\r\n$9\r\nsubscribe\r\n$2\r\nc1\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$2\r\nc2\r\n:2\r\n');
      expect(await c.call('PSUBSCRIBE', 'p*')).toBe('*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:3\r\n');
      expect(await c.call('SSUBSCRIBE', 's1')).toBe('*3\r\n$10\r\nssubscribe\r\n$2\r\ns1\r\n:1\r\n');
      const f = await lineOf(id);
      expect([f.get('sub'), f.get('psub'), f.get('ssub'), f.get('flags')]).toEqual(['2', '1', '1', 'P']);
      expect(f.get('cmd')).toBe('ssubscribe');
      const u = c.received.length;
      c.write(Buffer.concat([resp('UNSUBSCRIBE'), resp('PUNSUBSCRIBE'), resp('SUNSUBSCRIBE')]));
      expect(await c.replyAt(u, 4)).toBe(
        '*3\r\n$11\r\nunsubscribe\r\n$2\r\nc1\r\n:2\r\n*3\r\n$11\r\nunsubscribe\r\n$2\r\nc2\r\n:1\r\n' +
        '*3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:0\r\n*3\r\n$12\r\nsunsubscribe\r\n$2\r\ns1\r\n:0\r\n',
      );
      const g = await lineOf(id);
      expect([g.get('sub'), g.get('psub'), g.get('ssub'), g.get('flags')]).toEqual(['0', '0', '0', 'N']);
      c.close();
    });
  });

  describe('flags letters', () => {
    it('N for a plain client; x in MULTI; d when a WATCHed key changed (xd together)', async () => {
      const c = await open();
      const id = await clientId(c);
      expect(await flagsOf(id)).toBe('N');
      expect(await c.call('WATCH', 'dirty-me')).toBe('+OK\r\n');
      expect(await observer.call('SET', 'dirty-me', '1')).toBe('+OK\r\n');
      expect(await flagsOf(id)).toBe('d');
      expect(await c.call('MULTI')).toBe('+OK\r\n');
      expect(await flagsOf(id)).toBe('xd');
      expect(await c.call('EXEC')).toBe('*-1\r\n');
      expect(await flagsOf(id)).toBe('N');
      c.close();
    });

    it('b for a client blocked in BLPOP', async () => {
      const c = await open();
      const id = await clientId(c);
      const start = c.received.length;
      c.write(resp('BLPOP', 'flags:list', '0'));
      const f = await lineWhen(id, 'flags', 'b');
      expect(f.get('flags')).toBe('b');
      expect(f.get('cmd')).toBe('blpop');
      expect(await observer.call('RPUSH', 'flags:list', 'v')).toBe(':1\r\n');
      expect(await c.replyAt(start)).toBe('*2\r\n$10\r\nflags:list\r\n$1\r\nv\r\n');
      expect(await flagsOf(id)).toBe('N');
      c.close();
    });

    it('t with tracking on, tB with BCAST; redir=0 without REDIRECT, the id with it', async () => {
      const c = await open();
      const id = await clientId(c);
      const target = await open();
      const targetId = await clientId(target);
      expect(await c.call('CLIENT', 'TRACKING', 'on')).toBe('+OK\r\n');
      let f = await lineOf(id);
      expect([f.get('flags'), f.get('redir')]).toEqual(['t', '0']);
      expect(await c.call('CLIENT', 'TRACKING', 'off')).toBe('+OK\r\n');
      expect(await c.call('CLIENT', 'TRACKING', 'on', 'BCAST')).toBe('+OK\r\n');
      f = await lineOf(id);
      expect([f.get('flags'), f.get('redir')]).toEqual(['tB', '0']);
      expect(await c.call('CLIENT', 'TRACKING', 'off')).toBe('+OK\r\n');
      expect(await c.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(targetId))).toBe('+OK\r\n');
      f = await lineOf(id);
      expect([f.get('flags'), f.get('redir')]).toEqual(['t', String(targetId)]);
      expect(await c.call('CLIENT', 'TRACKING', 'off')).toBe('+OK\r\n');
      f = await lineOf(id);
      expect([f.get('flags'), f.get('redir')]).toEqual(['N', '-1']);
      c.close();
      target.close();
    });

    it('R once an invalidation finds the redirect target gone', async () => {
      const c = await open();
      const id = await clientId(c);
      const target = await open();
      const targetId = await clientId(target);
      expect(await c.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(targetId))).toBe('+OK\r\n');
      expect(await c.call('GET', 'redir:key')).toBe('$-1\r\n');
      target.close();
      await until(() => observer.call('CLIENT', 'LIST', 'ID', String(targetId)), (r) => r === '$0\r\n\r\n');
      expect(await observer.call('SET', 'redir:key', '1')).toBe('+OK\r\n');
      expect(await flagsOf(id)).toBe('tR');
      expect((await lineOf(id)).get('redir')).toBe(String(targetId));
      c.close();
    });

    it('O for a MONITOR client', async () => {
      const c = await open();
      const id = await clientId(c);
      expect(await c.call('MONITOR')).toBe('+OK\r\n');
      const f = await lineOf(id);
      expect([f.get('flags'), f.get('cmd')]).toEqual(['O', 'monitor']);
      c.close();
    });

    it('e for NO-EVICT, T for NO-TOUCH, in Redis\'s letter order with x', async () => {
      const c = await open();
      const id = await clientId(c);
      expect(await c.call('CLIENT', 'NO-TOUCH', 'on')).toBe('+OK\r\n');
      expect(await flagsOf(id)).toBe('T');
      expect(await c.call('CLIENT', 'NO-EVICT', 'on')).toBe('+OK\r\n');
      expect(await flagsOf(id)).toBe('eT');
      expect(await c.call('MULTI')).toBe('+OK\r\n');
      expect(await flagsOf(id)).toBe('xeT');
      expect(await c.call('DISCARD')).toBe('+OK\r\n');
      expect(await c.call('CLIENT', 'NO-EVICT', 'off')).toBe('+OK\r\n');
      expect(await c.call('CLIENT', 'NO-TOUCH', 'off')).toBe('+OK\r\n');
      expect(await flagsOf(id)).toBe('N');
      c.close();
    });

    it('U for a unix-socket client, whose addr and laddr are <path>:0', async () => {
      const u = await RawClient.connect(unixsocket);
      const f = clientFields(bulkText(await u.call('CLIENT', 'INFO')));
      expect(f.get('flags')).toBe('U');
      expect(f.get('addr')).toBe(`${unixsocket}:0`);
      expect(f.get('laddr')).toBe(`${unixsocket}:0`);
      expect(await u.call('MULTI')).toBe('+OK\r\n');
      expect(await flagsOf(Number(f.get('id')))).toBe('xU');
      u.close();
    });
  });

  describe('output buffer fields', () => {
    it('omem > 0 and oll > 0 while a client does not read a big pending reply; every byte arrives later', async () => {
      const size = 4 * 1024 * 1024;
      const value = Buffer.alloc(size, 'v');
      const writer = await open();
      expect(await writer.call('SET', 'big', value)).toBe('+OK\r\n');
      writer.close();
      const slow = await open();
      const id = await clientId(slow);
      slow.socket.pause();
      const start = slow.received.length;
      const times = 10;
      for (let i = 0; i < times; i++) slow.write(resp('GET', 'big'));
      const f = await until(() => lineOf(id), (l) => Number(l.get('omem')) > 0 && Number(l.get('oll')) > 0, 5000);
      expect(Number(f.get('omem'))).toBeGreaterThan(0);
      expect(Number(f.get('oll'))).toBeGreaterThan(0);
      expect(Number(f.get('tot-mem'))).toBeGreaterThan(Number(f.get('omem')));
      expect(f.get('cmd')).toBe('get');
      // Others are served meanwhile.
      expect(await observer.call('PING')).toBe('+PONG\r\n');
      slow.socket.resume();
      const one = `$${size}\r\n`.length + size + 2;
      await slow.waitBytes(start + one * times, 10000);
      const all = slow.received.slice(start);
      expect(all.length).toBe(one * times);
      const expected = `$${size}\r\n${value.toString('latin1')}\r\n`;
      for (let i = 0; i < times; i++) expect(all.slice(i * one, (i + 1) * one) === expected).toBe(true);
      const after = await until(() => lineOf(id), (l) => l.get('omem') === '0');
      expect([after.get('omem'), after.get('oll')]).toEqual(['0', '0']);
      slow.close();
    });
  });

  describe('user, redir, resp, lib-name, lib-ver', () => {
    it('user=default; resp=3 after HELLO 3; lib-name/lib-ver after CLIENT SETINFO (empty clears)', async () => {
      const c = await open();
      const id = await clientId(c);
      let f = await lineOf(id);
      expect([f.get('user'), f.get('resp'), f.get('lib-name'), f.get('lib-ver')]).toEqual(['default', '2', '', '']);
      expect(await c.call('CLIENT', 'SETINFO', 'LIB-NAME', 'redis-py')).toBe('+OK\r\n');
      expect(await c.call('CLIENT', 'SETINFO', 'lib-ver', '5.0.1')).toBe('+OK\r\n');
      await c.call('HELLO', '3');
      f = await lineOf(id);
      expect([f.get('user'), f.get('resp'), f.get('lib-name'), f.get('lib-ver')]).toEqual(['default', '3', 'redis-py', '5.0.1']);
      expect(await c.call('CLIENT', 'SETINFO', 'lib-ver', '')).toBe('+OK\r\n');
      f = await lineOf(id);
      expect([f.get('lib-name'), f.get('lib-ver')]).toEqual(['redis-py', '']);
      c.close();
    });

    it('user= names the authenticated user (AUTH or HELLO AUTH)', async () => {
      expect(await observer.call('ACL', 'SETUSER', 'lister', 'on', '>pw', '~*', '+@all')).toBe('+OK\r\n');
      const a = await open();
      const b = await open();
      const [ia, ib] = [await clientId(a), await clientId(b)];
      expect(await a.call('AUTH', 'lister', 'pw')).toBe('+OK\r\n');
      expect(await b.call('HELLO', '3', 'AUTH', 'lister', 'pw')).toMatch(/^%7\r\n/);
      expect((await lineOf(ia)).get('user')).toBe('lister');
      expect((await lineOf(ib)).get('user')).toBe('lister');
      expect((await lineOf(ib)).get('resp')).toBe('3');
      a.close();
      b.close();
    });

    it('RESP3: CLIENT INFO and CLIENT LIST are verbatim strings (=len, txt: prefix); empty is =4 txt:', async () => {
      const c = await open();
      await c.call('HELLO', '3');
      const info = await c.call('CLIENT', 'INFO');
      const text = bulkText(info);
      expect(info).toBe(`=${text.length + 4}\r\ntxt:${text}\r\n`);
      expect(clientFields(text).get('resp')).toBe('3');
      const id = clientFields(text).get('id')!;
      const list = await c.call('CLIENT', 'LIST', 'ID', id);
      expect(list).toBe(`=${bulkText(list).length + 4}\r\ntxt:${bulkText(list)}\r\n`);
      expect(clientList(list)[0].get('cmd')).toBe('client|list');
      expect(await c.call('CLIENT', 'LIST', 'TYPE', 'master')).toBe('=4\r\ntxt:\r\n');
      c.close();
    });
  });

  describe('CLIENT LIST TYPE and CLIENT LIST ID', () => {
    it('TYPE normal lists non-subscribed clients, TYPE pubsub the subscribed ones; master/replica none', async () => {
      const sub = await open();
      const subId = await clientId(sub);
      const plain = await open();
      const plainId = await clientId(plain);
      sub.write(resp('SUBSCRIBE', 'type-ch'));
      await sub.waitMatch(/:1\r\n$/);
      const pubsub = clientList(await observer.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).map((l) => Number(l.get('id')));
      expect(pubsub).toEqual([subId]);
      const normal = clientList(await observer.call('CLIENT', 'LIST', 'TYPE', 'NORMAL')).map((l) => Number(l.get('id')));
      expect(normal).toContain(plainId);
      expect(normal).not.toContain(subId);
      for (const t of ['master', 'replica', 'slave']) expect(await observer.call('CLIENT', 'LIST', 'TYPE', t)).toBe('$0\r\n\r\n');
      sub.close();
      plain.close();
    });

    it('a MONITOR client is of type normal', async () => {
      const m = await open();
      const id = await clientId(m);
      expect(await m.call('MONITOR')).toBe('+OK\r\n');
      const normal = clientList(await observer.call('CLIENT', 'LIST', 'TYPE', 'normal')).map((l) => Number(l.get('id')));
      expect(normal).toContain(id);
      m.close();
    });

    it('TYPE with an unknown type', async () => {
      expect(await observer.call('CLIENT', 'LIST', 'TYPE', 'bogus')).toBe("-ERR Unknown client type 'bogus'\r\n");
    });

    it('ID with several ids: in the order given, missing ones skipped, duplicates printed twice', async () => {
      const a = await open();
      const b = await open();
      const [ia, ib] = [await clientId(a), await clientId(b)];
      const ids = clientList(await observer.call('CLIENT', 'LIST', 'ID', String(ib), '999999', String(ia), String(ib), '0', '-7'))
        .map((l) => Number(l.get('id')));
      expect(ids).toEqual([ib, ia, ib]);
      expect(await observer.call('CLIENT', 'LIST', 'ID', '999999')).toBe('$0\r\n\r\n');
      a.close();
      b.close();
    });

    it('ID with a value that is not an integer', async () => {
      for (const bad of ['abc', '1.5', '', '99999999999999999999', ' 3']) {
        expect(await observer.call('CLIENT', 'LIST', 'ID', '3', bad)).toBe('-ERR Invalid client ID\r\n');
      }
    });

    it('other shapes are syntax errors', async () => {
      const syntax = '-ERR syntax error\r\n';
      expect(await observer.call('CLIENT', 'LIST', 'TYPE')).toBe(syntax);
      expect(await observer.call('CLIENT', 'LIST', 'ID')).toBe(syntax);
      expect(await observer.call('CLIENT', 'LIST', 'foo')).toBe(syntax);
      expect(await observer.call('CLIENT', 'LIST', 'TYPE', 'normal', 'ID', '3')).toBe(syntax);
      expect(await observer.call('CLIENT', 'LIST', 'TYPE', 'normal', 'extra')).toBe(syntax);
      expect(await observer.call('CLIENT', 'INFO', 'x')).toBe("-ERR wrong number of arguments for 'client|info' command\r\n");
    });
  });


});

describe('recorded from redis-server', async () => {
  const recorded = await startServer();
  it('answers test/scenarios/clients.txt as redis-server does', () => replayScenario(recorded.port, 'clients', {
    'CLIENT SETINFO lib-name mylib': 'CLIENT SETINFO is 7.2',
    'CLIENT SETINFO LIB-VER 1.2': 'CLIENT SETINFO is 7.2',
    'CLIENT SETINFO foo bar': 'CLIENT SETINFO is 7.2',
    'CLIENT SETINFO lib-name "a b"': 'CLIENT SETINFO is 7.2',
    'CLIENT KILL MAXAGE x': 'the MAXAGE filter is 7.2',
    'CLIENT KILL MAXAGE 0': 'the MAXAGE filter is 7.2',
    'CLIENT HELP': '7.2\'s 58 lines',
    'HELLO 3': 'the server\'s version (7.0.15 there, 7.2.4 here) and the client id',
    'HELLO 2': 'the server\'s version and the client id',
    'CLIENT PAUSE 9223372036854775807': '7.2\'s overflow check',
  }), 60000);
});
