// Request parsing end to end over raw sockets: every protocol error of Redis, byte for byte,
// followed by the close; inline quoting; frames split at every byte; QUIT; empty requests.
import { describe, expect, it } from 'vitest';
import { RawClient, resp, startServer } from './helpers.js';

const server = await startServer({ 'proto-max-bulk-len': '1mb' });
const open = () => RawClient.connect(server.port);

async function expectProtocolError(request: string | Buffer, text: string): Promise<void> {
  const c = await open();
  const expected = `-ERR Protocol error: ${text}\r\n`;
  const got = await c.exchange(request, expected.length);
  expect(got).toBe(expected);
  expect(await c.waitClose()).toBe(true);
  expect(c.received).toBe(expected); // nothing after the error
}

describe('protocol errors: the error reply, then the connection is closed', () => {
  it('invalid multibulk length', async () => {
    await expectProtocolError('*abc\r\n', 'invalid multibulk length');
    await expectProtocolError('*+1\r\n', 'invalid multibulk length');
    await expectProtocolError('*01\r\n', 'invalid multibulk length');
    await expectProtocolError('*3000000000\r\n', 'invalid multibulk length');
  });

  it("expected '$', got the offending byte", async () => {
    await expectProtocolError('*1\r\n+PING\r\n', "expected '$', got '+'");
    await expectProtocolError('*2\r\n$4\r\nECHO\r\n:12\r\n', "expected '$', got ':'");
  });

  it('invalid bulk length: negative, not a number, over proto-max-bulk-len', async () => {
    await expectProtocolError('*1\r\n$-5\r\n', 'invalid bulk length');
    await expectProtocolError('*1\r\n$x\r\n', 'invalid bulk length');
    await expectProtocolError('*1\r\n$1048577\r\n', 'invalid bulk length');
  });

  it('too big inline request (64 KiB without a newline)', async () => {
    await expectProtocolError('A'.repeat(70000), 'too big inline request');
  });

  it('too big mbulk count string and too big bulk count string', async () => {
    await expectProtocolError('*' + '1'.repeat(70000), 'too big mbulk count string');
    await expectProtocolError('*1\r\n$' + '1'.repeat(70000), 'too big bulk count string');
  });

  it('unbalanced quotes in an inline request', async () => {
    await expectProtocolError('ECHO "abc\r\n', 'unbalanced quotes in request');
    await expectProtocolError('ECHO "abc"def\r\n', 'unbalanced quotes in request');
    await expectProtocolError("ECHO 'abc\r\n", 'unbalanced quotes in request');
  });

  it('commands before the error are answered first, commands after it never run', async () => {
    const c = await open();
    const expected = '+PONG\r\n$2\r\nhi\r\n-ERR Protocol error: invalid bulk length\r\n';
    const got = await c.exchange(resp('PING').toString('latin1') + resp('ECHO', 'hi').toString('latin1') + '*1\r\n$-1\r\n' + resp('SET', 'after-error', '1').toString('latin1'), expected.length);
    expect(got).toBe(expected);
    expect(await c.waitClose()).toBe(true);
    const check = await open();
    expect(await check.exchange(resp('EXISTS', 'after-error'), 4)).toBe(':0\r\n');
    check.close();
  });

  it('other clients keep being served while one sends garbage', async () => {
    const good = await open();
    const bad = await open();
    bad.write('*1\r\n$-9\r\n');
    expect(await good.exchange(resp('PING'), 7)).toBe('+PONG\r\n');
    expect(await bad.waitClose()).toBe(true);
    expect(await good.exchange(resp('ECHO', 'still here'), 16)).toBe('$10\r\nstill here\r\n');
    good.close();
  });
});

describe('pre-authentication limits (requirepass set)', async () => {
  const secured = await startServer({ requirepass: 'pw' });
  it('more than 10 arguments before AUTH', async () => {
    const c = await RawClient.connect(secured.port);
    const expected = '-ERR Protocol error: unauthenticated multibulk length\r\n';
    expect(await c.exchange('*11\r\n', expected.length)).toBe(expected);
    expect(await c.waitClose()).toBe(true);
  });
  it('a bulk over 16384 bytes before AUTH', async () => {
    const c = await RawClient.connect(secured.port);
    const expected = '-ERR Protocol error: unauthenticated bulk length\r\n';
    expect(await c.exchange('*2\r\n$4\r\nAUTH\r\n$16385\r\n', expected.length)).toBe(expected);
    expect(await c.waitClose()).toBe(true);
  });
  it('unknown-command and arity errors come before NOAUTH, then NOAUTH', async () => {
    const c = await RawClient.connect(secured.port);
    const unknown = "-ERR unknown command 'NOSUCH', with args beginning with: \r\n";
    expect(await c.exchange(resp('NOSUCH'), unknown.length)).toBe(unknown);
    const arity = "-ERR wrong number of arguments for 'get' command\r\n";
    expect(await c.exchange(resp('GET'), arity.length)).toBe(arity);
    expect(await c.exchange(resp('GET', 'k'), 34)).toBe('-NOAUTH Authentication required.\r\n');
    expect(await c.exchange(resp('AUTH', 'pw'), 5)).toBe('+OK\r\n');
    // Authenticated: the limits are lifted.
    const big = 'x'.repeat(20000);
    expect(await c.exchange(resp('ECHO', big), big.length + 9)).toBe(`$20000\r\n${big}\r\n`);
    c.close();
  });
});

describe('inline requests', () => {
  it('are split as sdssplitargs does: quotes, escapes, \\r inside a line', async () => {
    const c = await open();
    expect(await c.exchange('PING\r\n', 7)).toBe('+PONG\r\n');
    expect(await c.exchange('ECHO "hello world"\r\n', 17)).toBe('$11\r\nhello world\r\n');
    expect(await c.exchange('ECHO "\\x41\\n\\t"\r\n', 9)).toBe('$3\r\nA\n\t\r\n');
    expect(await c.exchange("ECHO 'it\\'s'\r\n", 10)).toBe("$4\r\nit's\r\n");
    expect(await c.exchange('ECHO a"b c"\r\n', 10)).toBe('$4\r\nab c\r\n');
    // A single \r inside the line separates arguments: PING with the argument PING.
    expect(await c.exchange('PING\rPING\r\n', 10)).toBe('$4\r\nPING\r\n');
    // LF alone ends a line too.
    expect(await c.exchange('PING\n', 7)).toBe('+PONG\r\n');
    c.close();
  });

  it('empty lines and empty multibulk requests get no reply', async () => {
    const c = await open();
    expect(await c.exchange('\r\n\r\n*0\r\n*-1\r\n   \r\nPING\r\n', 7)).toBe('+PONG\r\n');
    c.close();
  });
});

describe('frames split across reads', () => {
  it('a pipeline sent one byte at a time yields the same replies', async () => {
    const c = await open();
    const req = Buffer.concat([resp('SET', 'split', 'v'), resp('GET', 'split'), Buffer.from('ECHO "x y"\r\n')]);
    const expected = '+OK\r\n$1\r\nv\r\n$3\r\nx y\r\n';
    for (const byte of req) {
      c.write(Buffer.from([byte]));
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(await c.waitBytes(expected.length)).toBe(expected);
    c.close();
  });

  it('lenient where Redis is: the 2 bytes after a bulk are not checked', async () => {
    const c = await open();
    expect(await c.exchange('*1\r\n$4\r\nPINGxx', 7)).toBe('+PONG\r\n');
    c.close();
  });
});

describe('big arguments', () => {
  it('a 3 MB value round-trips byte for byte, sent in pieces', async () => {
    const c = await open();
    const value = Buffer.alloc(3 * 1024 * 1024 - 5);
    for (let i = 0; i < value.length; i++) value[i] = (i * 7) & 0xff;
    const big = await startServer({ 'proto-max-bulk-len': '8mb' });
    const b = await RawClient.connect(big.port);
    const req = resp('SET', 'big', value);
    for (let off = 0; off < req.length; off += 100000) b.write(req.subarray(off, off + 100000));
    expect(await b.waitBytes(5)).toBe('+OK\r\n');
    const header = `$${value.length}\r\n`;
    const got = await b.exchange(resp('GET', 'big'), header.length + value.length + 2);
    expect(got.slice(0, header.length)).toBe(header);
    expect(Buffer.from(got.slice(header.length, header.length + value.length), 'latin1').equals(value)).toBe(true);
    b.close();
    c.close();
  });
});

describe('QUIT and the HTTP guard', () => {
  it('QUIT replies +OK and closes; pipelined commands after it never run', async () => {
    const c = await open();
    c.write(Buffer.concat([resp('QUIT'), resp('SET', 'after-quit', '1')]));
    expect(await c.waitClose()).toBe(true);
    expect(c.received).toBe('+OK\r\n');
    const check = await open();
    expect(await check.exchange(resp('EXISTS', 'after-quit'), 4)).toBe(':0\r\n');
    check.close();
  });

  it('POST and Host: close the connection without a reply', async () => {
    const c = await open();
    c.write('POST / HTTP/1.1\r\nHost: example\r\n\r\n');
    expect(await c.waitClose()).toBe(true);
    expect(c.received).toBe('');
  });
});

describe('maxclients', async () => {
  const small = await startServer({ maxclients: 2 });
  it('the connection over the limit gets the error, then EOF; the others keep working', async () => {
    const a = await RawClient.connect(small.port);
    const b = await RawClient.connect(small.port);
    expect(await a.exchange(resp('PING'), 7)).toBe('+PONG\r\n');
    expect(await b.exchange(resp('PING'), 7)).toBe('+PONG\r\n');
    const c = await RawClient.connect(small.port);
    expect(await c.waitClose()).toBe(true);
    expect(c.received).toBe('-ERR max number of clients reached\r\n');
    expect(await a.exchange(resp('PING'), 7)).toBe('+PONG\r\n');
    a.close();
    expect(await b.exchange(resp('PING'), 7)).toBe('+PONG\r\n');
    b.close();
  });
});
