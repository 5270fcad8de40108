// The rest of the CLIENT family end to end: ID, SETNAME/GETNAME, SETINFO, REPLY, NO-EVICT/NO-TOUCH,
// PAUSE/UNPAUSE, UNBLOCK, TRACKING (pushes, BCAST, OPTIN/OPTOUT, NOLOOP, REDIRECT, errors),
// GETREDIR, TRACKINGINFO, HELP. Byte for byte over raw sockets.
import { describe, expect, it } from 'vitest';
import { RawClient, clientList, resp, startServer, until } from './helpers.js';

const server = await startServer();
const open = () => RawClient.connect(server.port);
// The file's first connection: Redis's first network client gets id 3 (1 and 2 are its internal clients).
const admin = await open();
const adminId = Number((await admin.call('CLIENT', 'ID')).slice(1, -2));

async function idOf(c: RawClient): Promise<number> {
  const r = await c.call('CLIENT', 'ID');
  expect(r).toMatch(/^:\d+\r\n$/);
  return Number(r.slice(1, -2));
}

async function flagsOf(id: number): Promise<string | undefined> {
  return clientList(await admin.call('CLIENT', 'LIST', 'ID', String(id)))[0]?.get('flags');
}

const invalidate = (...keys: string[]) => `>2\r\n$10\r\ninvalidate\r\n*${keys.length}\r\n${keys.map((k) => `$${k.length}\r\n${k}\r\n`).join('')}`;

describe('CLIENT ID', () => {
  it('the first connection gets id 3; ids increase and are never reused after disconnects', async () => {
    expect(adminId).toBe(3);
    const a = await open();
    const ia = await idOf(a);
    expect(ia).toBe(4);
    a.close();
    await until(() => admin.call('CLIENT', 'LIST', 'ID', String(ia)), (r) => r === '$0\r\n\r\n');
    const b = await open();
    expect(await idOf(b)).toBe(5);
    const c = await open();
    expect(await idOf(c)).toBe(6);
    b.close();
    c.close();
    const d = await open();
    expect(await idOf(d)).toBe(7);
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
    const id = await idOf(c);
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
    expect(await c.settle(50)).toBe(c.received.slice(0, start) + '+OK\r\n$1\r\n1\r\n');
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
    // Replies stay off meanwhile.
    const quiet = c.received.length;
    c.write(resp('PING'));
    expect(await c.settle(50)).toBe(c.received.slice(0, quiet));
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
    const wid = await idOf(w);
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
    const wid = await idOf(w);
    expect(await admin.call('CLIENT', 'PAUSE', '10000', 'WRITE')).toBe('+OK\r\n');
    const start = w.received.length;
    w.write(Buffer.concat([resp('MULTI'), resp('SET', 'pause:m', '1'), resp('EXEC'), resp('PUBLISH', 'pause:ch', 'x')]));
    expect(await w.replyAt(start)).toBe('+OK\r\n');
    expect(await until(() => flagsOf(wid), (f) => f === 'xb')).toBe('xb');
    expect(await w.settle(50)).toBe(w.received.slice(0, start) + '+OK\r\n');
    expect(await admin.call('CLIENT', 'UNPAUSE')).toBe('+OK\r\n');
    expect(await w.replyAt(start, 4)).toBe('+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n:0\r\n');
    w.close();
  });

  it('ALL holds every command, CLIENT UNPAUSE included, until the pause ends', async () => {
    const other = await open();
    const oid = await idOf(other);
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
    const id = await idOf(b);
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
    const id = await idOf(b);
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
    const id = await idOf(p);
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
    expect(await c.settle(50)).toBe(c.received.slice(0, start) + invalidate('trk:a') + invalidate('trk:c'));
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
    expect(await c.settle(50)).toBe(c.received.slice(0, start) + invalidate('optin:yes'));
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
    const sinkId = await idOf(sink);
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
    expect(await c.settle(30)).toBe(c.received);
    expect(c.received.endsWith('$-1\r\n')).toBe(true);
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
    expect(await c.settle(50)).toBe(c.received.slice(0, start) + '>2\r\n$10\r\ninvalidate\r\n_\r\n');
    c.close();
  });

  it('a RESP3 client whose redirect target is gone is told so by push (tracking-redir-broken)', async () => {
    const target = await open();
    const targetId = await idOf(target);
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
    const id = await idOf(c);
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
    const targetId = await idOf(target);
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
