// Writes refused before they run: -MISCONF after a failed background save (stop-writes-on-bgsave-
// error with save points), -NOREPLICAS without enough good replicas (min-replicas-to-write).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RawClient, resp, startServer } from './helpers.js';

const MISCONF = "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.\r\n";

describe('write guards', async () => {
  const server = await startServer();
  const dir = mkdtempSync(join(tmpdir(), 'respd-misconf-'));
  const saving = await startServer({ dir, save: '' });

  it('-MISCONF for writes and PING after a failed BGSAVE while save points are set; reads and the off switch go on', async () => {
    const c = await RawClient.connect(saving.port);
    // The directory goes: the next save fails.
    rmSync(dir, { recursive: true });
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    for (let i = 0; i < 100 && !(await c.call('INFO', 'persistence')).includes('rdb_last_bgsave_status:err'); i++) await new Promise((r) => setTimeout(r, 20));
    // Without save points a failed save refuses nothing.
    expect(await c.call('CONFIG', 'SET', 'save', '')).toBe('+OK\r\n');
    expect(await c.call('SET', 'k', 'v')).toBe('+OK\r\n');
    expect(await c.call('CONFIG', 'SET', 'save', '3600 1')).toBe('+OK\r\n');
    expect(await c.call('SET', 'k', 'v')).toBe(MISCONF);
    expect(await c.call('PING')).toBe(MISCONF);
    expect(await c.call('GET', 'k')).toBe('$1\r\nv\r\n');
    // In MULTI the refused write dooms EXEC.
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('INCR', 'n')).toBe(MISCONF);
    expect(await c.call('EXEC')).toBe('-EXECABORT Transaction discarded because of previous errors.\r\n');
    expect(await c.call('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no')).toBe('+OK\r\n');
    expect(await c.call('SET', 'k', 'w')).toBe('+OK\r\n');
    expect(await c.call('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'yes')).toBe('+OK\r\n');
    // A successful save clears it.
    mkdirSync(dir);
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    for (let i = 0; i < 100 && !(await c.call('INFO', 'persistence')).includes('rdb_last_bgsave_status:ok'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await c.call('SET', 'k', 'x')).toBe('+OK\r\n');
    expect(await c.call('CONFIG', 'SET', 'save', '')).toBe('+OK\r\n');
    rmSync(dir, { recursive: true, force: true });
    c.socket.destroy();
  });

  it('-NOREPLICAS until enough replicas acknowledge within min-replicas-max-lag', async () => {
    const c = await RawClient.connect(server.port);
    expect(await c.call('CONFIG', 'SET', 'min-replicas-to-write', '1')).toBe('+OK\r\n');
    expect(await c.call('SET', 'a', '1')).toBe('-NOREPLICAS Not enough good replicas to write.\r\n');
    expect(await c.call('GET', 'a')).toBe('$-1\r\n');
    expect(await c.call('INFO', 'replication')).toContain('min_slaves_good_slaves:0');
    // A replica attaches: it counts as good while its ACKs are recent.
    const r = await RawClient.connect(server.port);
    r.write(resp('PSYNC', '?', '-1'));
    await r.waitMatch(/FULLRESYNC/);
    // Good once its payload went out (online), however long the background save takes.
    for (let i = 0; i < 250 && !(await c.call('INFO', 'replication')).includes('min_slaves_good_slaves:1'); i++) await new Promise((res) => setTimeout(res, 20));
    expect(await c.call('SET', 'a', '1')).toBe('+OK\r\n');
    expect(await c.call('INFO', 'replication')).toContain('min_slaves_good_slaves:1');
    expect(await c.call('CONFIG', 'SET', 'min-replicas-to-write', '2')).toBe('+OK\r\n');
    expect(await c.call('SET', 'a', '2')).toBe('-NOREPLICAS Not enough good replicas to write.\r\n');
    expect(await c.call('CONFIG', 'SET', 'min-replicas-max-lag', '0')).toBe('+OK\r\n');
    expect(await c.call('SET', 'a', '2')).toBe('+OK\r\n');
    expect(await c.call('CONFIG', 'SET', 'min-replicas-to-write', '0')).toBe('+OK\r\n');
    expect(await c.call('CONFIG', 'SET', 'min-replicas-max-lag', '10')).toBe('+OK\r\n');
    r.socket.destroy();
    c.socket.destroy();
  });
});
