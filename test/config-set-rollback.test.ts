// CONFIG SET of several directives is all or nothing (and protected ones only where allowed): when applying one fails, the error names
// that directive (configSetCommand's err_arg_name), and every value comes back.
import { expect, it } from 'vitest';
import { RawClient, startServer } from './helpers.js';

it('names the directive whose apply failed and restores the others', async () => {
  const a = await startServer();
  const b = await startServer();
  const c = await RawClient.connect(a.port);
  expect(await c.call('CONFIG', 'SET', 'maxmemory-samples', '7', 'port', String(b.port), 'hz', '20')).toBe(
    "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n");
  expect(await c.call('CONFIG', 'GET', 'maxmemory-samples')).toBe('*2\r\n$17\r\nmaxmemory-samples\r\n$1\r\n5\r\n');
  expect(await c.call('CONFIG', 'GET', 'hz')).toBe('*2\r\n$2\r\nhz\r\n$2\r\n10\r\n');
  expect(await c.call('CONFIG', 'GET', 'port')).toBe(`*2\r\n$4\r\nport\r\n$${String(a.port).length}\r\n${a.port}\r\n`);
  // Still serving on the old port.
  const d = await RawClient.connect(a.port);
  expect(await d.call('PING')).toBe('+PONG\r\n');
  // A value error names its own argument, before anything is applied.
  expect(await c.call('CONFIG', 'SET', 'hz', '20', 'maxmemory', 'lots')).toBe(
    "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n");
  expect(await c.call('CONFIG', 'GET', 'hz')).toBe('*2\r\n$2\r\nhz\r\n$2\r\n10\r\n');
  c.close();
  d.close();
});

it('protected configs over the wire: refused under no, allowed to a local client under local and yes', async () => {
  const refused = "-ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config\r\n";
  for (const [mode, want] of [['no', refused], ['local', '+OK\r\n'], ['yes', '+OK\r\n']] as const) {
    const s = await startServer({ 'enable-protected-configs': mode });
    const c = await RawClient.connect(s.port);
    expect(await c.call('CONFIG', 'SET', 'dbfilename', 'other.rdb'), mode).toBe(want);
    c.close();
  }
});
