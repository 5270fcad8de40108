// CLIENT LIST and CLIENT INFO end to end: the line's fields in Redis's order, their values in
// known situations (name, db, multi, watch, subscriptions, every flag letter, output buffers,
// cmd, user, redir, resp, lib-name/lib-ver), LIST TYPE / LIST ID and their errors, RESP3 form.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RawClient, bulkText, clientFields, clientList, resp, startServer, until } from './helpers.js';

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

async function idOf(c: RawClient): Promise<number> {
  const r = await c.call('CLIENT', 'ID');
  expect(r).toMatch(/^:\d+\r\n$/);
  return Number(r.slice(1, -2));
}

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
    expect(f.get('id')).toBe(String(await idOf(c)));
    expect(f.get('addr')).toBe(`127.0.0.1:${c.socket.localPort}`);
    expect(f.get('laddr')).toBe(`127.0.0.1:${server.port}`);
    expect(f.get('age')).toBe('0');
    expect(f.get('idle')).toBe('0');
    c.close();
  });

  it('CLIENT LIST: one line per client, each ending in \\n, the caller included', async () => {
    const a = await open();
    const b = await open();
    const ids = [await idOf(a), await idOf(b)];
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
    const id = await idOf(c);
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
    const id = await idOf(c);
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
    const id = await idOf(c);
    expect(await c.call('WATCH', 'w1', 'w2')).toBe('+OK\r\n');
    expect(await c.call('WATCH', 'w1')).toBe('+OK\r\n');
    expect((await lineOf(id)).get('watch')).toBe('2');
    expect(await c.call('UNWATCH')).toBe('+OK\r\n');
    expect((await lineOf(id)).get('watch')).toBe('0');
    c.close();
  });

  it('sub=2 psub=1 ssub=1 and flag P while subscribed; N again when the last one goes', async () => {
    const c = await open();
    const id = await idOf(c);
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
    const id = await idOf(c);
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
    const id = await idOf(c);
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
    const id = await idOf(c);
    const target = await open();
    const targetId = await idOf(target);
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
    const id = await idOf(c);
    const target = await open();
    const targetId = await idOf(target);
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
    const id = await idOf(c);
    expect(await c.call('MONITOR')).toBe('+OK\r\n');
    const f = await lineOf(id);
    expect([f.get('flags'), f.get('cmd')]).toEqual(['O', 'monitor']);
    c.close();
  });

  it('e for NO-EVICT, T for NO-TOUCH, in Redis\'s letter order with x', async () => {
    const c = await open();
    const id = await idOf(c);
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
    const id = await idOf(slow);
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
    const id = await idOf(c);
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
    const [ia, ib] = [await idOf(a), await idOf(b)];
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
    const subId = await idOf(sub);
    const plain = await open();
    const plainId = await idOf(plain);
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
    const id = await idOf(m);
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
    const [ia, ib] = [await idOf(a), await idOf(b)];
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
