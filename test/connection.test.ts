// Connection-state commands end to end: MONITOR lines (format, escaping, redaction, what is not
// shown), RESET (everything it clears and what it keeps, with CLIENT REPLY), the idle timeout and
// its exemptions, and authentication with requirepass (AUTH, HELLO AUTH, NOAUTH ordering).
//
// Protected mode is not tested here: it only refuses peers that are not on the loopback interface
// or the unix socket, and every connection a test can open to 127.0.0.1 is local.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bulkText, clientFields, clientId, clientList, RawClient, replayScenario, resp, startServer, until } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'respd-connection-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const unixsocket = join(dir, 'monitor.sock');
const server = await startServer({ unixsocket });
const open = () => RawClient.connect(server.port);
const admin = await open();

/** One MONITOR line: +<sec>.<usec> [<db> <where>] <args>; the time must be now. */
function expectMonitorLine(line: string, db: number, where: string, args: string): void {
  const m = /^\+(\d+)\.(\d{6}) \[(\d+) (\S+)\] (.*)\r\n$/.exec(line);
  expect(m, line).not.toBeNull();
  expect(Math.abs(Number(m![1]) - Date.now() / 1000)).toBeLessThan(5);
  expect([Number(m![3]), m![4], m![5]]).toEqual([db, where, args]);
}

async function monitorLines(m: RawClient, start: number, count: number): Promise<string[]> {
  const text = await m.replyAt(start, count);
  return text.split(/(?<=\r\n)/);
}

describe('MONITOR', () => {
  it('+OK, then one line per command run by anyone: time, db, peer address, quoted arguments', async () => {
    const m = await open();
    expect(await m.call('MONITOR')).toBe('+OK\r\n');
    const c = await open();
    const addr = `127.0.0.1:${c.socket.localPort}`;
    const start = m.received.length;
    expect(await c.call('SET', 'mon:k', 'v')).toBe('+OK\r\n');
    expect(await c.call('SELECT', '5')).toBe('+OK\r\n');
    expect(await c.call('GET', 'mon:k')).toBe('$-1\r\n');
    const lines = await monitorLines(m, start, 3);
    expectMonitorLine(lines[0], 0, addr, '"SET" "mon:k" "v"');
    expectMonitorLine(lines[1], 5, addr, '"SELECT" "5"');
    expectMonitorLine(lines[2], 5, addr, '"GET" "mon:k"');
    m.close();
    c.close();
  });

  it('arguments are escaped like sdscatrepr: quotes, backslashes, control and high bytes', async () => {
    const m = await open();
    expect(await m.call('MONITOR')).toBe('+OK\r\n');
    const start = m.received.length;
    expect(await admin.call('SET', 'a b', 'x"y\\z\n\r\t\x07\x08\x01\xff~')).toBe('+OK\r\n');
    const [line] = await monitorLines(m, start, 1);
    expectMonitorLine(line, 0, `127.0.0.1:${admin.socket.localPort}`, '"SET" "a b" "x\\"y\\\\z\\n\\r\\t\\a\\b\\x01\\xff~"');
    m.close();
  });

  it('AUTH and HELLO AUTH secrets are shown as (redacted), even when they fail', async () => {
    const m = await open();
    expect(await m.call('MONITOR')).toBe('+OK\r\n');
    const c = await open();
    const addr = `127.0.0.1:${c.socket.localPort}`;
    const start = m.received.length;
    await c.call('AUTH', 'secret');
    await c.call('AUTH', 'default', 'secret');
    expect(await c.call('HELLO', '2', 'AUTH', 'default', 'secret', 'SETNAME', 'n')).toMatch(/^\*14\r\n/);
    const lines = await monitorLines(m, start, 3);
    expectMonitorLine(lines[0], 0, addr, '"AUTH" "(redacted)"');
    expectMonitorLine(lines[1], 0, addr, '"AUTH" "(redacted)" "(redacted)"');
    expectMonitorLine(lines[2], 0, addr, '"HELLO" "2" "AUTH" "(redacted)" "(redacted)" "SETNAME" "n"');
    m.close();
    c.close();
  });

  it('admin commands, unknown commands and arity errors are not shown; queued commands show at EXEC', async () => {
    const m = await open();
    expect(await m.call('MONITOR')).toBe('+OK\r\n');
    const c = await open();
    const addr = `127.0.0.1:${c.socket.localPort}`;
    const start = m.received.length;
    c.write(Buffer.concat([
      resp('CONFIG', 'GET', 'timeout'), resp('CLIENT', 'LIST'), resp('NOSUCH'), resp('GET'),
      resp('MULTI'), resp('INCR', 'mon:n'), resp('EXEC'), resp('PING'),
    ]));
    const lines = await monitorLines(m, start, 4);
    expectMonitorLine(lines[0], 0, addr, '"MULTI"');
    expectMonitorLine(lines[1], 0, addr, '"INCR" "mon:n"');
    expectMonitorLine(lines[2], 0, addr, '"EXEC"');
    expectMonitorLine(lines[3], 0, addr, '"PING"');
    m.close();
    c.close();
  });

  it('a unix-socket client shows as unix:<path>', async () => {
    const m = await open();
    expect(await m.call('MONITOR')).toBe('+OK\r\n');
    const u = await RawClient.connect(unixsocket);
    const start = m.received.length;
    expect(await u.call('PING')).toBe('+PONG\r\n');
    const [line] = await monitorLines(m, start, 1);
    expectMonitorLine(line, 0, `unix:${unixsocket}`, '"PING"');
    m.close();
    u.close();
  });

  it('the MONITOR client sees its own commands after their replies, and may not touch the keyspace', async () => {
    const m = await open();
    const addr = `127.0.0.1:${m.socket.localPort}`;
    expect(await m.call('MONITOR')).toBe('+OK\r\n');
    // MONITOR again is a silent no-op.
    const start = m.received.length;
    m.write(Buffer.concat([resp('MONITOR'), resp('PING')]));
    const [pong, line] = await monitorLines(m, start, 2);
    expect(pong).toBe('+PONG\r\n');
    expectMonitorLine(line, 0, addr, '"PING"');
    expect(await m.call('GET', 'k')).toBe("-ERR Replica can't interact with the keyspace\r\n");
    expect(await m.call('SET', 'k', 'v')).toBe("-ERR Replica can't interact with the keyspace\r\n");
    m.close();
  });
});

describe('RESET', () => {
  it('clears name, db, protocol, transaction, WATCH, tracking, NO-EVICT/NO-TOUCH; keeps lib-name/lib-ver and id', async () => {
    const c = await open();
    const id = String(await clientId(c));
    expect(await c.call('CLIENT', 'SETNAME', 'before-reset')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'SETINFO', 'LIB-NAME', 'lib')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'SETINFO', 'LIB-VER', '9')).toBe('+OK\r\n');
    expect(await c.call('SELECT', '3')).toBe('+OK\r\n');
    expect(await c.call('HELLO', '3')).toMatch(/^%7\r\n/);
    expect(await c.call('CLIENT', 'NO-EVICT', 'on')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'NO-TOUCH', 'on')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKING', 'on')).toBe('+OK\r\n');
    expect(await c.call('WATCH', 'reset:w')).toBe('+OK\r\n');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('SET', 'reset:queued', '1')).toBe('+QUEUED\r\n');
    // RESET runs at once even inside MULTI; the reply is already RESP2.
    expect(await c.call('RESET')).toBe('+RESET\r\n');
    const f = clientFields(bulkText(await c.call('CLIENT', 'INFO')));
    expect([f.get('id'), f.get('name'), f.get('db'), f.get('resp'), f.get('flags'), f.get('multi'), f.get('watch'), f.get('redir')])
      .toEqual([id, '', '0', '2', 'N', '-1', '0', '-1']);
    expect([f.get('lib-name'), f.get('lib-ver'), f.get('user')]).toEqual(['lib', '9', 'default']);
    expect(await c.call('EXEC')).toBe('-ERR EXEC without MULTI\r\n');
    expect(await c.call('EXISTS', 'reset:queued')).toBe(':0\r\n');
    expect(await c.call('GET', 'reset:none')).toBe('$-1\r\n');
    c.close();
  });

  it('drops every subscription without confirmations and leaves the subscribed context', async () => {
    const c = await open();
    const start = c.received.length;
    c.write(Buffer.concat([resp('SUBSCRIBE', 'reset:ch'), resp('PSUBSCRIBE', 'reset:*'), resp('SSUBSCRIBE', 'reset:s')]));
    await c.replyAt(start, 3);
    expect(await c.call('RESET')).toBe('+RESET\r\n');
    expect(await admin.call('PUBLISH', 'reset:ch', 'x')).toBe(':0\r\n');
    expect(await admin.call('SPUBLISH', 'reset:s', 'x')).toBe(':0\r\n');
    expect(await c.call('GET', 'reset:none')).toBe('$-1\r\n');
    const f = clientFields(bulkText(await c.call('CLIENT', 'INFO')));
    expect([f.get('sub'), f.get('psub'), f.get('ssub'), f.get('flags')]).toEqual(['0', '0', '0', 'N']);
    c.close();
  });

  it('leaves MONITOR: no more lines, and the keyspace is usable again', async () => {
    const m = await open();
    expect(await m.call('MONITOR')).toBe('+OK\r\n');
    expect(await m.call('RESET')).toBe('+RESET\r\n');
    const start = m.received.length;
    expect(await admin.call('PING')).toBe('+PONG\r\n');
    expect(await m.call('GET', 'reset:none')).toBe('$-1\r\n');
    expect(m.received.slice(start)).toBe('$-1\r\n');
    m.close();
  });

  it('turns tracking off: no more invalidations', async () => {
    const c = await open();
    await c.call('HELLO', '3');
    expect(await c.call('CLIENT', 'TRACKING', 'on')).toBe('+OK\r\n');
    expect(await c.call('GET', 'reset:tracked')).toBe('_\r\n');
    expect(await c.call('RESET')).toBe('+RESET\r\n');
    const start = c.received.length;
    expect(await admin.call('SET', 'reset:tracked', '1')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe('*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n');
    expect(c.received.slice(start).startsWith('*6\r\n')).toBe(true);
    c.close();
  });

  it('after CLIENT REPLY OFF, +RESET is sent (OFF is cleared first); after SKIP it is swallowed', async () => {
    const c = await open();
    const start = c.received.length;
    c.write(Buffer.concat([resp('CLIENT', 'REPLY', 'OFF'), resp('PING', 'hidden'), resp('RESET'), resp('PING', 'shown')]));
    expect(await c.replyAt(start, 2)).toBe('+RESET\r\n$5\r\nshown\r\n');
    const skip = c.received.length;
    c.write(Buffer.concat([resp('CLIENT', 'REPLY', 'SKIP'), resp('RESET'), resp('PING', 'after')]));
    expect(await c.replyAt(skip)).toBe('$5\r\nafter\r\n');
    c.close();
  });

  it('arity', async () => {
    expect(await admin.call('RESET', 'x')).toBe("-ERR wrong number of arguments for 'reset' command\r\n");
  });
});

describe('idle timeout', () => {
  it('CONFIG SET timeout 1 closes idle clients (in MULTI too) after more than a second; subscribed, blocked and MONITOR clients stay', async () => {
    const s = await startServer();
    const conn = () => RawClient.connect(s.port);
    const cfg = await conn();
    expect(await cfg.call('CONFIG', 'SET', 'timeout', '1')).toBe('+OK\r\n');
    cfg.close();
    const idle = await conn();
    const inMulti = await conn();
    const sub = await conn();
    const blocked = await conn();
    const mon = await conn();
    expect(await sub.call('SUBSCRIBE', 'idle:ch')).toBe('*3\r\n$9\r\nsubscribe\r\n$7\r\nidle:ch\r\n:1\r\n');
    expect(await mon.call('MONITOR')).toBe('+OK\r\n');
    expect(await inMulti.call('MULTI')).toBe('+OK\r\n');
    const blockedId = String(await clientId(blocked));
    blocked.write(resp('BLPOP', 'idle:list', '0'));
    const t0 = Date.now();
    expect(await idle.call('PING')).toBe('+PONG\r\n');
    expect(await idle.waitClose(3000)).toBe(true);
    expect(Date.now() - t0).toBeGreaterThan(1000);
    expect(idle.received).toBe('+PONG\r\n');
    expect(await inMulti.waitClose(1000)).toBe(true);
    expect([sub.closed, blocked.closed, mon.closed]).toEqual([false, false, false]);
    const check = await conn();
    const lines = clientList(await check.call('CLIENT', 'LIST'));
    expect(lines.map((l) => l.get('flags')).sort()).toEqual(['N', 'O', 'P', 'b']);
    expect(lines.find((l) => l.get('flags') === 'b')!.get('id')).toBe(blockedId);
    expect(await check.call('CONFIG', 'SET', 'timeout', '0')).toBe('+OK\r\n');
    expect(await check.call('RPUSH', 'idle:list', 'v')).toBe(':1\r\n');
    expect(await blocked.waitMatch(/\r\nv\r\n$/)).toMatch(/\*2\r\n\$9\r\nidle:list\r\n\$1\r\nv\r\n$/);
    for (const c of [sub, blocked, mon, check]) c.close();
  });
});

describe('authentication with requirepass', async () => {
  const secured = await startServer({ requirepass: 'pw' });
  const conn = () => RawClient.connect(secured.port);
  const noauth = '-NOAUTH Authentication required.\r\n';
  const wrongpass = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';
  const helloNoauth = '-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n';

  it('before AUTH: NOAUTH, but unknown-command and arity errors come first; QUIT is allowed', async () => {
    const c = await conn();
    expect(await c.call('GET', 'k')).toBe(noauth);
    expect(await c.call('PING')).toBe(noauth);
    expect(await c.call('CLIENT', 'ID')).toBe(noauth);
    expect(await c.call('NOSUCH', 'a')).toBe("-ERR unknown command 'NOSUCH', with args beginning with: 'a' \r\n");
    expect(await c.call('GET')).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    expect(await c.call('CLIENT', 'BOGUS')).toBe("-ERR unknown subcommand 'BOGUS'. Try CLIENT HELP.\r\n");
    const start = c.received.length;
    c.write(resp('QUIT'));
    expect(await c.waitClose()).toBe(true);
    expect(c.received.slice(start)).toBe('+OK\r\n');
  });

  it('AUTH: wrong password, right password (one- and two-argument forms), syntax error', async () => {
    const c = await conn();
    expect(await c.call('AUTH', 'nope')).toBe(wrongpass);
    expect(await c.call('AUTH', 'default', 'nope')).toBe(wrongpass);
    expect(await c.call('AUTH', 'nosuchuser', 'pw')).toBe(wrongpass);
    expect(await c.call('AUTH', 'a', 'b', 'c')).toBe('-ERR syntax error\r\n');
    expect(await c.call('GET', 'k')).toBe(noauth);
    expect(await c.call('AUTH', 'pw')).toBe('+OK\r\n');
    expect(await c.call('GET', 'k')).toBe('$-1\r\n');
    const d = await conn();
    expect(await d.call('AUTH', 'default', 'pw')).toBe('+OK\r\n');
    expect(clientFields(bulkText(await d.call('CLIENT', 'INFO'))).get('user')).toBe('default');
    c.close();
    d.close();
  });

  it('a failed AUTH in a pipeline is answered like every other command', async () => {
    const c = await conn();
    const start = c.received.length;
    c.write(Buffer.concat([resp('PING'), resp('AUTH', 'bad'), resp('PING')]));
    expect(await c.replyAt(start, 3)).toBe(noauth + wrongpass + noauth);
    c.close();
  });

  it('HELLO: refused before auth; HELLO AUTH authenticates and switches protocol in one step', async () => {
    const c = await conn();
    expect(await c.call('HELLO')).toBe(helloNoauth);
    expect(await c.call('HELLO', '3')).toBe(helloNoauth);
    expect(await c.call('HELLO', '3', 'AUTH', 'default', 'nope')).toBe(wrongpass);
    // SETNAME is validated first: the bad name stops HELLO before AUTH.
    expect(await c.call('HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'bad name')).toBe('-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
    expect(await c.call('GET', 'k')).toBe(noauth);
    const hello = await c.call('HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'authed');
    expect(hello).toMatch(/^%7\r\n\$6\r\nserver\r\n\$5\r\nredis\r\n/);
    expect(hello).toContain('$5\r\nproto\r\n:3\r\n');
    expect(await c.call('GET', 'k')).toBe('_\r\n');
    expect(await c.call('CLIENT', 'GETNAME')).toBe('$6\r\nauthed\r\n');
    c.close();
  });

  it('RESET logs the client out again', async () => {
    const c = await conn();
    expect(await c.call('AUTH', 'pw')).toBe('+OK\r\n');
    expect(await c.call('RESET')).toBe('+RESET\r\n');
    expect(await c.call('GET', 'k')).toBe(noauth);
    c.close();
  });

  it('an unauthenticated client is listed as user=default', async () => {
    const c = await conn();
    const addr = `127.0.0.1:${c.socket.localPort}`;
    expect(await c.call('GET', 'k')).toBe(noauth);
    const a = await conn();
    expect(await a.call('AUTH', 'pw')).toBe('+OK\r\n');
    const line = clientList(await a.call('CLIENT', 'LIST')).find((l) => l.get('addr') === addr)!;
    expect([line.get('user'), line.get('cmd')]).toEqual(['default', 'get']);
    c.close();
    a.close();
  });
});

describe('PING, ECHO, SELECT, QUIT and the other connection commands, byte for byte', async () => {
  const server = await startServer();
  const client = await RawClient.connect(server.port);

  /** Sends a command and returns the reply (waiting for `len` bytes). */
  const send = (len: number, ...args: string[]) => client.exchange(resp(...args), len);
  const sendExpect = async (expected: string, ...args: string[]) => expect(await send(expected.length, ...args)).toBe(expected);

  describe('connection commands', () => {
    it('PING with and without an argument, and too many arguments', async () => {
      await sendExpect('+PONG\r\n', 'PING');
      await sendExpect('$3\r\nabc\r\n', 'ping', 'abc');
      await sendExpect("-ERR wrong number of arguments for 'ping' command\r\n", 'PING', 'a', 'b');
    });
    it('ECHO', async () => {
      await sendExpect('$0\r\n\r\n', 'ECHO', '');
      await sendExpect("-ERR wrong number of arguments for 'echo' command\r\n", 'ECHO');
    });
    it('SELECT: range and integer errors', async () => {
      await sendExpect('+OK\r\n', 'SELECT', '15');
      await sendExpect('-ERR DB index is out of range\r\n', 'SELECT', '16');
      await sendExpect('-ERR DB index is out of range\r\n', 'SELECT', '-1');
      await sendExpect('-ERR value is not an integer or out of range\r\n', 'SELECT', 'x');
      await sendExpect('+OK\r\n', 'SELECT', '0');
    });
    it('unknown command text names the first arguments, up to 128 bytes', async () => {
      await sendExpect("-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n", 'foo', 'a', 'b');
      const long = 'x'.repeat(200);
      const expected = `-ERR unknown command 'foo', with args beginning with: '${'x'.repeat(128)}' \r\n`;
      await sendExpect(expected, 'foo', long, 'more');
    });
    it('unknown subcommand of a container command', async () => {
      await sendExpect("-ERR unknown subcommand 'nope'. Try COMMAND HELP.\r\n", 'COMMAND', 'nope');
      await sendExpect("-ERR unknown subcommand 'nope'. Try CONFIG HELP.\r\n", 'config', 'nope');
      await sendExpect("-ERR wrong number of arguments for 'config' command\r\n", 'CONFIG');
      await sendExpect("-ERR wrong number of arguments for 'config|get' command\r\n", 'CONFIG', 'GET');
    });
    it('AUTH without a configured password', async () => {
      await sendExpect('-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n', 'AUTH', 'x');
      await sendExpect('-ERR syntax error\r\n', 'AUTH', 'a', 'b', 'c');
    });
  });
  it('answers test/scenarios/foundation.txt as redis-server does', () => replayScenario(server.port, 'foundation', {
    'COMMAND COUNT': 'respd has fewer commands than Redis 7.0\'s 240 until the data model is complete',
    'HELLO 3': 'the server\'s version (7.0.15 there, 7.2.4 here) and the client id',
    'HELLO 2': 'the server\'s version and the client id',
  }), 60000);
});
