// TLS end to end (reference section 10): tls-port listeners through node's own OpenSSL, with the
// committed fixture certificates (test/fixtures/tls, made once by gen.sh). Client certificates
// required / optional / off, wrong CAs, plaintext on the TLS port and TLS on the plain port, a
// handshake abandoned half way, silent TLS clients, a 10,000-command pipeline, big values both
// ways, and CONFIG SET reloading the context under connected clients. Every case also checks
// that the other clients were not disturbed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';
import { bulkText, clientList, infoField, RawClient, resp, startServer, until } from './helpers.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'tls');
const file = (name: string) => join(FIXTURES, name);
const pem = (name: string) => readFileSync(file(name));
const logDir = mkdtempSync(join(tmpdir(), 'respd-tls-'));
afterAll(() => rmSync(logDir, { recursive: true, force: true }));

/** The tls-* directives of a server with the fixture certificate, CA and a log file to read. */
function tlsOptions(log: string, extra: Record<string, string> = {}) {
  return {
    tls: true,
    'tls-cert-file': file('server.crt'),
    'tls-key-file': file('server.key'),
    'tls-ca-cert-file': file('ca.crt'),
    logfile: join(logDir, log),
    loglevel: 'notice',
    ...extra,
  };
}

/** Client-side TLS options: trusts `ca`, presents `cert` when given. */
function clientTls(cert?: 'client' | 'other-client', ca = 'ca.crt'): ConnectionOptions {
  return {
    ca: pem(ca),
    servername: 'localhost',
    ...(cert ? { cert: pem(`${cert}.crt`), key: pem(`${cert}.key`) } : {}),
  };
}

const readLog = (name: string) => readFileSync(join(logDir, name), 'latin1');
/** The handshake fails (the promise rejects) rather than connecting. */
async function refused(port: number, options: ConnectionOptions): Promise<string> {
  try {
    const c = await RawClient.connectTls(port, options);
    // TLS 1.3: the server's verdict on the client certificate comes after the client's handshake.
    const r = await c.call('PING');
    c.close();
    return r === '' ? 'closed' : `connected: ${JSON.stringify(r)}`;
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  }
}

describe('tls-auth-clients yes (the default)', async () => {
  const server = await startServer(tlsOptions('auth-yes.log'));

  it('serves an ioredis client with a certificate from the CA, as an ordinary client', async () => {
    const r = new Redis({ port: server.tlsPort, host: '127.0.0.1', tls: clientTls('client'), lazyConnect: true });
    await r.connect();
    expect(await r.set('k', 'v')).toBe('OK');
    expect(await r.get('k')).toBe('v');
    const me = clientList(`$0\r\n${await r.client('INFO')}\r\n`)[0]!;
    expect(me.get('laddr')).toBe(`127.0.0.1:${server.tlsPort}`);
    expect(me.get('flags')).toBe('N');
    expect(me.get('lib-name')).toBe('ioredis');
    r.disconnect();
  });

  it('lists the tls listener and keeps tcp_port the plain port', async () => {
    const plain = await RawClient.connect(server.port);
    const info = bulkText(await plain.call('INFO', 'server'));
    expect(info).toContain(`listener0:name=tcp,bind=127.0.0.1,port=${server.port}\r\n`);
    expect(info).toContain(`listener2:name=tls,bind=127.0.0.1,port=${server.tlsPort}\r\n`);
    expect(info).toContain(`tcp_port:${server.port}\r\n`);
    plain.close();
  });

  it('refuses a client without a certificate and logs Redis line; others carry on', async () => {
    const other = await RawClient.connectTls(server.tlsPort, clientTls('client'));
    expect(await refused(server.tlsPort, clientTls())).not.toMatch(/^connected/);
    const log = await until(async () => readLog('auth-yes.log'), (t) => t.includes('peer did not return a certificate'));
    expect(log).toMatch(/# Error accepting a client connection: error:[0-9A-F]+:SSL routines::peer did not return a certificate \(addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+\)/);
    expect(await other.call('PING')).toBe('+PONG\r\n');
    other.close();
  });

  it('refuses a certificate from another CA', async () => {
    expect(await refused(server.tlsPort, clientTls('other-client'))).not.toMatch(/^connected/);
    const log = await until(async () => readLog('auth-yes.log'), (t) => t.includes('certificate verify failed'));
    expect(log).toContain('Error accepting a client connection: error:0A000086:SSL routines::certificate verify failed');
  });

  it('is refused by a client that trusts another CA', async () => {
    const r = await refused(server.tlsPort, clientTls('client', 'other-ca.crt'));
    expect(r).toMatch(/^refused: .*(self.signed|unable to verify|unable to get local issuer)/i);
    const ok = await RawClient.connectTls(server.tlsPort, clientTls('client'));
    expect(await ok.call('PING')).toBe('+PONG\r\n');
    ok.close();
  });

  it('closes plaintext on the TLS port, logging why; others carry on', async () => {
    const tlsClient = await RawClient.connectTls(server.tlsPort, clientTls('client'));
    const plainClient = await RawClient.connect(server.port);
    const before = Number(await infoField(plainClient, 'connected_clients'));
    const plaintext = await RawClient.connect(server.tlsPort);
    plaintext.write(resp('PING'));
    expect(await plaintext.waitClose()).toBe(true);
    expect(plaintext.received).toBe('');
    expect(await tlsClient.call('PING')).toBe('+PONG\r\n');
    expect(await plainClient.call('PING')).toBe('+PONG\r\n');
    expect(Number(await until(() => infoField(plainClient, 'connected_clients'), (n) => Number(n) === before))).toBe(before);
    expect(readLog('auth-yes.log')).toMatch(/Error accepting a client connection: error:[0-9A-F]+:SSL routines::[a-z ]+ \(addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+\)/);
    tlsClient.close();
    plainClient.close();
  });

  it('takes a ClientHello on the plain port as request bytes, like any client sending garbage', async () => {
    const admin = await RawClient.connect(server.port);
    const wrong = tlsConnect({ port: server.port, host: '127.0.0.1', ...clientTls('client') });
    let failed = false;
    wrong.on('error', () => (failed = true));
    await new Promise((resolve) => wrong.once('connect', resolve));
    const addr = `127.0.0.1:${wrong.localPort}`;
    // Its hello was read: waiting in the query buffer, or answered as an (unknown) inline command.
    const seen = await until(
      async () => clientList(await admin.call('CLIENT', 'LIST')).find((c) => c.get('addr') === addr),
      (c) => failed || (c !== undefined && (c.get('qbuf') !== '0' || c.get('cmd') !== 'NULL')),
    );
    expect(failed || seen !== undefined).toBe(true);
    expect(await admin.call('PING')).toBe('+PONG\r\n');
    const ok = await RawClient.connectTls(server.tlsPort, clientTls('client'));
    expect(await ok.call('PING')).toBe('+PONG\r\n');
    wrong.destroy();
    ok.close();
    admin.close();
  });

  it('frees a client that disconnects in the middle of its handshake', async () => {
    const admin = await RawClient.connect(server.port);
    const before = Number(await infoField(admin, 'connected_clients'));
    const half = await RawClient.connect(server.tlsPort);
    // A record header announcing a 512-byte ClientHello, and only its first bytes.
    half.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]));
    expect(Number(await until(() => infoField(admin, 'connected_clients'), (n) => Number(n) === before + 1))).toBe(before + 1);
    half.close();
    expect(Number(await until(() => infoField(admin, 'connected_clients'), (n) => Number(n) === before))).toBe(before);
    expect(await admin.call('PING')).toBe('+PONG\r\n');
    admin.close();
  });

  it('serves everyone while silent clients sit in their handshake (max-new-tls-connections-per-cycle 1)', async () => {
    const admin = await RawClient.connect(server.port);
    const onTlsPort = async () =>
      clientList(await admin.call('CLIENT', 'LIST')).filter((c) => c.get('laddr') === `127.0.0.1:${server.tlsPort}`).length;
    const base = await onTlsPort();
    const silent = await Promise.all(Array.from({ length: 20 }, () => RawClient.connect(server.tlsPort)));
    const clients = await Promise.all(Array.from({ length: 5 }, () => RawClient.connectTls(server.tlsPort, clientTls('client'))));
    for (const [i, c] of clients.entries()) expect(await c.call('ECHO', `hi${i}`)).toBe(`$3\r\nhi${i}\r\n`);
    // The silent ones are clients already (as in Redis, before their handshake ends).
    expect(await until(onTlsPort, (n) => n === base + 25)).toBe(base + 25);
    for (const c of [...silent, ...clients, admin]) c.close();
  });

  it('carries a pipeline of 10,000 commands', async () => {
    const r = new Redis({ port: server.tlsPort, host: '127.0.0.1', tls: clientTls('client'), lazyConnect: true });
    await r.connect();
    await r.del('counter');
    const p = r.pipeline();
    for (let i = 0; i < 10000; i++) p.incr('counter');
    const res = await p.exec();
    expect(res!.length).toBe(10000);
    expect(res!.every(([err, v], i) => err === null && v === i + 1)).toBe(true);
    r.disconnect();
  });

  it('moves big values both ways byte for byte (partial SSL writes, bytes pending inside OpenSSL)', async () => {
    const c = await RawClient.connectTls(server.tlsPort, clientTls('client'));
    let value = '';
    for (let i = 0; value.length < 3 * 1024 * 1024; i++) value += `${i},`;
    expect(await c.call('SET', 'big', value)).toBe('+OK\r\n');
    const header = `$${value.length}\r\n`;
    const start = c.received.length;
    c.write(resp('GET', 'big'));
    await c.waitBytes(start + header.length + value.length + 2, 10000);
    expect(c.received.slice(start) === header + value + '\r\n').toBe(true);
    // Many mid-size arguments in one write: the parser's big-argument buffers take exact sizes,
    // so bytes of a TLS record are left inside OpenSSL between reads.
    const parts: Buffer[] = [];
    for (let i = 0; i < 40; i++) parts.push(resp('SET', `k${i}`, 'x'.repeat(40000 + i)));
    const from = c.received.length;
    c.write(Buffer.concat(parts));
    await c.waitBytes(from + 40 * 5, 10000);
    expect(c.received.slice(from)).toBe('+OK\r\n'.repeat(40));
    expect(await c.call('STRLEN', 'k39')).toBe(':40039\r\n');
    c.close();
  });
});

describe('tls-auth-clients optional and no', async () => {
  const server = await startServer(tlsOptions('auth-optional.log', { 'tls-auth-clients': 'optional' }));

  it('optional: no certificate or one from the CA is fine, one from another CA is not', async () => {
    for (const cert of [undefined, 'client'] as const) {
      const c = await RawClient.connectTls(server.tlsPort, clientTls(cert));
      expect(await c.call('PING')).toBe('+PONG\r\n');
      c.close();
    }
    expect(await refused(server.tlsPort, clientTls('other-client'))).not.toMatch(/^connected/);
  });

  it('no, set at runtime: applies to the next accept, any certificate is ignored', async () => {
    const admin = await RawClient.connect(server.port);
    expect(await admin.call('CONFIG', 'SET', 'tls-auth-clients', 'no')).toBe('+OK\r\n');
    const c = await RawClient.connectTls(server.tlsPort, clientTls('other-client'));
    expect(await c.call('PING')).toBe('+PONG\r\n');
    expect(await admin.call('CONFIG', 'SET', 'tls-auth-clients', 'yes')).toBe('+OK\r\n');
    expect(await refused(server.tlsPort, clientTls())).not.toMatch(/^connected/);
    expect(await c.call('PING')).toBe('+PONG\r\n'); // accepted before: unchanged
    c.close();
    admin.close();
  });
});

describe('CONFIG SET of tls-* settings', async () => {
  const server = await startServer(tlsOptions('reload.log'));
  const cn = (c: RawClient) => c.tls.getPeerCertificate().subject.CN;

  it('reloads the certificate: connected clients keep working, new ones get the new one', async () => {
    const old = await RawClient.connectTls(server.tlsPort, clientTls('client'));
    const oldRedis = new Redis({ port: server.tlsPort, host: '127.0.0.1', tls: clientTls('client'), lazyConnect: true });
    await oldRedis.connect();
    expect(cn(old)).toBe('respd-server');
    const admin = await RawClient.connect(server.port);
    expect(await admin.call('CONFIG', 'SET', 'tls-cert-file', file('server2.crt'), 'tls-key-file', file('server2.key'))).toBe('+OK\r\n');
    const fresh = await RawClient.connectTls(server.tlsPort, clientTls('client'));
    expect(cn(fresh)).toBe('respd-server-2');
    expect(await old.call('ECHO', 'still')).toBe('$5\r\nstill\r\n');
    expect(await oldRedis.incr('reload-n')).toBe(1);
    expect(await fresh.call('PING')).toBe('+PONG\r\n');
    for (const c of [old, fresh, admin]) c.close();
    oldRedis.disconnect();
  });

  it('a bad certificate path is an error reply; nothing changes and the server keeps serving', async () => {
    const admin = await RawClient.connect(server.port);
    const before = await admin.call('CONFIG', 'GET', 'tls-cert-file');
    expect(await admin.call('CONFIG', 'SET', 'tls-cert-file', '/nonexistent/server.crt')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs.\r\n",
    );
    expect(await admin.call('CONFIG', 'GET', 'tls-cert-file')).toBe(before);
    expect(readLog('reload.log')).toMatch(/# Failed to load certificate: \/nonexistent\/server\.crt: error:/);
    const c = await RawClient.connectTls(server.tlsPort, clientTls('client'));
    expect(await c.call('PING')).toBe('+PONG\r\n');
    expect(await admin.call('CONFIG', 'SET', 'tls-protocols', 'TLSv1.9')).toMatch(/^-ERR CONFIG SET failed .*Unable to update TLS configuration/);
    expect(await admin.call('CONFIG', 'GET', 'tls-protocols')).toBe('*2\r\n$13\r\ntls-protocols\r\n$0\r\n\r\n');
    c.close();
    admin.close();
  });

  it('tls-protocols and an encrypted key with tls-key-file-pass', async () => {
    const admin = await RawClient.connect(server.port);
    expect(await admin.call('CONFIG', 'SET', 'tls-key-file', file('server-enc.key'), 'tls-cert-file', file('server.crt'))).toMatch(/^-ERR/);
    expect(await admin.call('CONFIG', 'SET', 'tls-key-file-pass', 'respd-pass', 'tls-key-file', file('server-enc.key'), 'tls-cert-file', file('server.crt'))).toBe('+OK\r\n');
    expect(await admin.call('CONFIG', 'SET', 'tls-protocols', 'TLSv1.2', 'tls-dh-params-file', file('dh.pem'))).toBe('+OK\r\n');
    const c = await RawClient.connectTls(server.tlsPort, clientTls('client'));
    expect(c.tls.getProtocol()).toBe('TLSv1.2');
    expect(await c.call('PING')).toBe('+PONG\r\n');
    expect(await refused(server.tlsPort, { ...clientTls('client'), minVersion: 'TLSv1.3' })).toMatch(/^refused/);
    c.close();
    admin.close();
  });
});

describe('TLS listeners', () => {
  it('port 0 serves TLS only; INFO tcp_port is then the TLS port', async () => {
    const server = await startServer({ ...tlsOptions('tls-only.log'), tcp: false });
    expect(server.port).toBe(0);
    const c = await RawClient.connectTls(server.tlsPort, clientTls('client'));
    const info = bulkText(await c.call('INFO', 'server'));
    expect(info).toContain(`tcp_port:${server.tlsPort}\r\n`);
    expect(info).toContain(`listener2:name=tls,bind=127.0.0.1,port=${server.tlsPort}\r\n`);
    expect(info).not.toContain('listener0:');
    c.close();
  });

  it('CONFIG SET tls-port opens one at runtime once TLS can be configured', async () => {
    const server = await startServer({ logfile: join(logDir, 'runtime.log'), loglevel: 'notice' });
    const admin = await RawClient.connect(server.port);
    const probe = await startServer({ tls: true, tcp: false, 'tls-cert-file': file('server.crt'), 'tls-key-file': file('server.key'), 'tls-auth-clients': 'no' });
    const port = probe.tlsPort; // a port known to be free once the probe closes
    await probe.close();
    expect(await admin.call('CONFIG', 'SET', 'tls-port', String(port))).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'tls-port') - Unable to update TLS configuration. Check server logs.\r\n",
    );
    expect(readLog('runtime.log')).toContain('# No tls-cert-file configured!');
    expect(await admin.call('CONFIG', 'SET', 'tls-cert-file', file('server.crt'), 'tls-key-file', file('server.key'), 'tls-ca-cert-file', file('ca.crt'))).toBe('+OK\r\n');
    expect(await admin.call('CONFIG', 'SET', 'tls-port', String(port))).toBe('+OK\r\n');
    const c = await RawClient.connectTls(port, clientTls('client'));
    expect(await c.call('PING')).toBe('+PONG\r\n');
    expect(bulkText(await admin.call('INFO', 'server'))).toContain(`listener2:name=tls,bind=127.0.0.1,port=${port}\r\n`);
    expect(await admin.call('CONFIG', 'SET', 'tls-port', '0')).toBe('+OK\r\n');
    expect(bulkText(await admin.call('INFO', 'server'))).not.toContain('listener2:');
    expect(await c.call('PING')).toBe('+PONG\r\n'); // the connection outlives its listener
    c.close();
    admin.close();
  });

  it('a bad certificate at startup fails with Redis message', async () => {
    await expect(createServer({ ...tlsOptions('startup.log'), 'tls-cert-file': '/nonexistent.crt' })).rejects.toThrow(
      'Failed to configure TLS. Check logs for more info.',
    );
    expect(readLog('startup.log')).toContain('Failed to load certificate: /nonexistent.crt: error:');
  });
});
