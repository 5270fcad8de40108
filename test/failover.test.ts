// FAILOVER: a respd master hands its role to a caught-up respd replica (PSYNC ... FAILOVER), the
// old master and the other replica follow the new one, no write is lost; its errors and ABORT.
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { Redis } from 'ioredis';
import { RawClient, resp, startServer } from './helpers.js';
import { infoField, linkUp, until } from './replication-helpers.js';
import type { ServerHandle } from '../src/index.js';

async function server(): Promise<ServerHandle> {
  const h = await startServer({ 'repl-diskless-sync-delay': '0' });
  onTestFinished(() => h.close());
  return h;
}

const opened: Redis[] = [];
function client(port: number): Redis {
  const r = new Redis(port, '127.0.0.1', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
  opened.push(r);
  return r;
}
afterEach(() => {
  for (const r of opened.splice(0)) r.disconnect();
});

describe('FAILOVER', () => {
  it('hands the master role to the chosen replica; the old master follows it, nothing is lost', async () => {
    const [a, b, c] = [await server(), await server(), await server()];
    const m = client(a.port);
    const r1 = client(b.port);
    const r2 = client(c.port);
    await r1.call('REPLICAOF', '127.0.0.1', String(a.port));
    await r2.call('REPLICAOF', '127.0.0.1', String(a.port));
    await linkUp(r1);
    await linkUp(r2);
    await m.set('before', '1');
    expect(await m.call('FAILOVER', 'TO', '127.0.0.1', String(b.port), 'TIMEOUT', '5000')).toBe('OK');
    await until('the replica promoted', async () => infoField(await r1.info('replication'), 'role') === 'master');
    await until('the old master a replica of it', async () => {
      const info = await m.info('replication');
      return infoField(info, 'role') === 'slave' && infoField(info, 'master_port') === String(b.port) && infoField(info, 'master_link_status') === 'up';
    });
    expect(infoField(await m.info('replication'), 'master_failover_state')).toBe('no-failover');
    expect(await r1.get('before')).toBe('1');
    // The old master's other replica is pointed at the new one as Sentinel would; writes flow.
    await r2.call('REPLICAOF', '127.0.0.1', String(b.port));
    await linkUp(r2);
    await r1.set('after', '2');
    await until('the write reached both', async () => (await m.get('after')) === '2' && (await r2.get('after')) === '2');
    // The old master is a replica now: writes refused, the pause over.
    await expect(m.set('x', '1')).rejects.toThrow("READONLY You can't write against a read only replica.");
  });

  it('errors as Redis, and ABORT ends the wait for a replica that never catches up', async () => {
    const [a, b] = [await server(), await server()];
    const m = client(a.port);
    const r = client(b.port);
    await expect(m.call('FAILOVER')).rejects.toThrow('FAILOVER requires connected replicas.');
    await expect(m.call('FAILOVER', 'ABORT')).rejects.toThrow('No failover in progress.');
    await expect(m.call('FAILOVER', 'TIMEOUT', '0')).rejects.toThrow('FAILOVER timeout must be greater than 0');
    await expect(m.call('FAILOVER', 'BOGUS')).rejects.toThrow('syntax error');
    await r.call('REPLICAOF', '127.0.0.1', String(a.port));
    await linkUp(r);
    await expect(m.call('FAILOVER', 'TO', '127.0.0.1', '1', 'TIMEOUT', '100')).rejects.toThrow('FAILOVER target HOST and PORT is not a replica.');
    await expect(m.call('FAILOVER', 'FORCE')).rejects.toThrow('FAILOVER with force option requires both a timeout and target HOST and IP.');
    await expect(r.call('FAILOVER')).rejects.toThrow('FAILOVER is not valid when server is a replica.');
    await expect(r.call('PSYNC', 'abc', '1', 'FAILOVER')).rejects.toThrow('PSYNC FAILOVER replid must match my replid.');
    await expect(m.call('PSYNC', 'abc', '1', 'FAILOVER')).rejects.toThrow("PSYNC FAILOVER can't be sent to a master.");
    // A replica that never acknowledges (a raw PSYNC that sends no ACK): the failover waits until
    // ABORT, with writes paused meanwhile.
    await r.call('REPLICAOF', 'NO', 'ONE');
    await until('the replica gone', async () => infoField(await m.info('replication'), 'connected_slaves') === '0');
    const fake = await RawClient.connect(a.port);
    fake.write(resp('PSYNC', '?', '-1'));
    await fake.waitMatch(/FULLRESYNC/);
    await m.set('moved', '1');
    expect(await m.call('FAILOVER')).toBe('OK');
    expect(infoField(await m.info('replication'), 'master_failover_state')).toBe('waiting-for-sync');
    await expect(m.call('FAILOVER')).rejects.toThrow('FAILOVER already in progress.');
    await expect(m.call('REPLICAOF', 'NO', 'ONE')).rejects.toThrow('REPLICAOF not allowed while failing over.');
    expect(await m.call('FAILOVER', 'ABORT')).toBe('OK');
    expect(infoField(await m.info('replication'), 'master_failover_state')).toBe('no-failover');
    expect(await m.set('writable', 'again')).toBe('OK');
    // TIMEOUT without FORCE gives up by itself.
    expect(await m.call('FAILOVER', 'TIMEOUT', '200')).toBe('OK');
    await until('the failover timed out', async () => infoField(await m.info('replication'), 'master_failover_state') === 'no-failover');
    expect(await m.set('writable', 'still')).toBe('OK');
    fake.socket.destroy();
  });
});
