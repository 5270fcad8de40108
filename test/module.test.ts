// MODULE: no Redis module can load into respd. LIST is empty, LOAD/LOADEX fail with Redis's reply
// and the reason in the log, UNLOAD finds nothing, and enable-module-command guards them.
import { afterAll, describe, expect, it } from 'vitest';
import { err, RawClient, startServer } from './helpers.js';

describe('MODULE', () => {
  it('is refused unless enable-module-command allows it', async () => {
    const s = await startServer();
    const c = await RawClient.connect(s.port);
    expect(await c.call('MODULE', 'LOAD', '/tmp/x.so')).toBe(err('MODULE command not allowed. If the enable-module-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.'));
    expect(await c.call('MODULE', 'LIST')).toBe('*0\r\n');
    c.close();
  });

  it('LIST, LOAD, LOADEX, UNLOAD and HELP where allowed', async () => {
    const s = await startServer({ 'enable-module-command': 'yes' });
    const c = await RawClient.connect(s.port);
    afterAll(() => c.close());
    expect(await c.call('MODULE', 'LIST')).toBe('*0\r\n');
    expect(await c.call('MODULE', 'LOAD', '/tmp/x.so', 'arg')).toBe(err('Error loading the extension. Please check the server logs.'));
    expect(await c.call('MODULE', 'LOADEX', '/tmp/x.so', 'CONFIG', 'a', 'b')).toBe(err('Error loading the extension. Please check the server logs.'));
    expect(await c.call('MODULE', 'UNLOAD', 'nope')).toBe(err('Error unloading module: no such module with that name'));
    expect(await c.call('MODULE', 'LOAD')).toBe(err("wrong number of arguments for 'module|load' command"));
    expect(await c.call('MODULE', 'FOO')).toBe(err("unknown subcommand 'FOO'. Try MODULE HELP."));
    expect((await c.call('MODULE', 'HELP')).split('\r\n')[0]).toBe('*11');
  });
});
