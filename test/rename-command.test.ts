// rename-command in the config file: the command answers to its new name only, an empty name
// disables it, and COMMAND INFO / INFO commandstats / errors keep its real name, as in Redis.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { RawClient, startCli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'respd-rename-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('renamed and disabled commands', async () => {
  const file = join(dir, 'r.conf');
  writeFileSync(file, 'rename-command CONFIG cfg\nrename-command FLUSHALL ""\nrename-command get fetch\n');
  const cli = await startCli([file]);
  try {
    const c = await RawClient.connect(cli.sock);
    expect(await c.call('CONFIG', 'GET', 'port')).toBe("-ERR unknown command 'CONFIG', with args beginning with: 'GET' 'port' \r\n");
    expect(await c.call('CFG', 'GET', 'hz')).toBe('*2\r\n$2\r\nhz\r\n$2\r\n10\r\n');
    expect(await c.call('FLUSHALL')).toBe("-ERR unknown command 'FLUSHALL', with args beginning with: \r\n");
    expect(await c.call('SET', 'k', 'v')).toBe('+OK\r\n');
    expect(await c.call('GET', 'k')).toBe("-ERR unknown command 'GET', with args beginning with: 'k' \r\n");
    expect(await c.call('FETCH', 'k')).toBe('$1\r\nv\r\n');
    expect(await c.call('FETCH')).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    expect(await c.call('COMMAND', 'INFO', 'fetch')).toMatch(/^\*1\r\n\*10\r\n\$3\r\nget\r\n/);
    expect(await c.call('INFO', 'commandstats')).toMatch(/cmdstat_get:calls=1,/);
    // Gone from the table: COMMAND COUNT drops the disabled one.
    const count = Number(/^:(\d+)/.exec(await c.call('COMMAND', 'COUNT'))![1]);
    expect(count).toBeGreaterThan(100);
    expect(await c.call('COMMAND', 'INFO', 'flushall')).toBe('*1\r\n$-1\r\n');
    c.close();
  } finally {
    cli.stop();
  }
});

it('a rename of an unknown command stops the server with Redis\'s message', async () => {
  const file = join(dir, 'bad.conf');
  writeFileSync(file, 'rename-command NOSUCH x\n');
  await expect(startCli([file])).rejects.toThrow(/No such command in rename-command/);
});
