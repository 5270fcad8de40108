// Query and output buffer limits, reply-buffer resizing, write fairness and client eviction
// (reference sections 4-6), end to end over raw sockets: each limit fires as configured, the
// counters move, and every other client keeps getting complete replies.
import { describe, expect, it } from 'vitest';
import { bulkText, clientFields, clientId, clientList, infoNumber, RawClient, resp, startServer, until } from './helpers.js';

const listOf = async (c: RawClient, id: string) =>
  clientList(await c.call('CLIENT', 'LIST', 'ID', id))[0];

describe('client-output-buffer-limit', async () => {
  const server = await startServer({ 'proto-max-bulk-len': '64mb' });

  it('normal class, hard limit: the client is closed with nothing sent; others are untouched', async () => {
    const admin = await RawClient.connect(server.port);
    const value = 'v'.repeat(2 * 1024 * 1024);
    expect(await admin.call('SET', 'big', value)).toBe('+OK\r\n');
    expect(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0')).toBe('+OK\r\n');
    const before = await infoNumber(admin, 'client_output_buffer_limit_disconnections');
    const victim = await RawClient.connect(server.port);
    victim.write(resp('GET', 'big'));
    expect(await victim.waitClose()).toBe(true);
    expect(victim.received).toBe(''); // not even the header or the static buffer's bytes
    expect(await infoNumber(admin, 'client_output_buffer_limit_disconnections')).toBe(before + 1);
    expect(await admin.call('PING')).toBe('+PONG\r\n');
    expect(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0')).toBe('+OK\r\n');
    const ok = await RawClient.connect(server.port);
    const reply = await ok.exchange(resp('GET', 'big'), value.length + 12);
    expect(reply.length).toBe(value.length + 12); // $2097152\r\n + value + \r\n
    ok.close();
    admin.close();
  });

  it('pubsub class: a subscriber that stops reading is cut off; the publisher keeps its replies', async () => {
    const admin = await RawClient.connect(server.port);
    expect(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 256kb 0 0')).toBe('+OK\r\n');
    const sub = await RawClient.connect(server.port);
    expect(await sub.call('SUBSCRIBE', 'flood')).toBe('*3\r\n$9\r\nsubscribe\r\n$5\r\nflood\r\n:1\r\n');
    sub.socket.pause();
    const before = await infoNumber(admin, 'client_output_buffer_limit_disconnections');
    const msg = 'm'.repeat(64 * 1024);
    let answered = 0;
    for (let i = 0; i < 1000 && (await infoNumber(admin, 'client_output_buffer_limit_disconnections')) === before; i++) {
      const r = await admin.call('PUBLISH', 'flood', msg);
      expect(r).toMatch(/^:[01]\r\n$/);
      answered++;
    }
    expect(await infoNumber(admin, 'client_output_buffer_limit_disconnections')).toBe(before + 1);
    expect(answered).toBeGreaterThan(0);
    expect(await admin.call('PUBSUB', 'NUMSUB', 'flood')).toBe('*2\r\n$5\r\nflood\r\n:0\r\n');
    admin.close();
    sub.close();
  });

  it('soft limit held past soft-seconds closes the client (checked by the cron)', async () => {
    const admin = await RawClient.connect(server.port);
    expect(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 256kb 1')).toBe('+OK\r\n');
    const slow = await RawClient.connect(server.port);
    slow.socket.pause();
    // Far more than the kernel's socket buffers take, so output stays queued in the server.
    for (let i = 0; i < 40; i++) slow.write(resp('GET', 'big'));
    const id = (await admin.call('CLIENT', 'LIST')).match(/id=(\d+)[^\n]*cmd=get/)?.[1];
    expect(id).toBeDefined();
    const closed = await until(() => admin.call('CLIENT', 'LIST', 'ID', id!), (r) => r === '$0\r\n\r\n', 6000, 100);
    expect(closed).toBe('$0\r\n\r\n'); // the client is gone
    expect(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0')).toBe('+OK\r\n');
    slow.close();
    admin.close();
  });
});

describe('client-query-buffer-limit', async () => {
  const server = await startServer();

  it('a request that outgrows the limit closes the client and counts the disconnection', async () => {
    const admin = await RawClient.connect(server.port);
    expect(await admin.call('CONFIG', 'SET', 'client-query-buffer-limit', '1mb')).toBe('+OK\r\n');
    const before = await infoNumber(admin, 'client_query_buffer_limit_disconnections');
    const c = await RawClient.connect(server.port);
    c.write('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4000000\r\n');
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    for (let i = 0; i < 8 && !c.closed; i++) {
      c.write(chunk);
      await c.settle(20);
    }
    expect(await c.waitClose()).toBe(true);
    expect(await infoNumber(admin, 'client_query_buffer_limit_disconnections')).toBe(before + 1);
    expect(await admin.call('EXISTS', 'k')).toBe(':0\r\n');
    expect(await admin.call('CONFIG', 'SET', 'client-query-buffer-limit', '1gb')).toBe('+OK\r\n');
    admin.close();
  });

  it('idle clients hold no private query buffer; a partial request holds one', async () => {
    const admin = await RawClient.connect(server.port);
    const idle = await RawClient.connect(server.port);
    expect(await idle.call('PING')).toBe('+PONG\r\n');
    const id = String(await clientId(idle));
    let f = await listOf(admin, id);
    expect(f.get('qbuf')).toBe('0');
    expect(f.get('qbuf-free')).toBe('0');
    idle.write('*2\r\n$4\r\nECHO\r\n$9\r\nhal');
    f = await until(() => listOf(admin, id), (m) => m.get('qbuf') !== '0');
    expect(Number(f.get('qbuf'))).toBeGreaterThan(0);
    idle.write('f-done\r\n');
    expect(await idle.waitMatch(/\$9\r\nhalf-done\r\n$/)).toMatch(/half-done/);
    f = await listOf(admin, id);
    expect(f.get('qbuf')).toBe('0');
    idle.close();
    admin.close();
  });
});

describe('reply buffer resizing and write fairness', async () => {
  const server = await startServer({ hz: 50 });

  it('the static reply buffer shrinks for an idle client and grows back with use (rbs/rbp)', async () => {
    const admin = await RawClient.connect(server.port);
    // Read before the client exists: the cron (hz 50) may shrink its buffer at once.
    const before = await infoNumber(admin, 'reply_buffer_shrinks');
    const c = await RawClient.connect(server.port);
    const id = String(await clientId(c));
    let f = await until(() => listOf(admin, id), (m) => m.get('rbs') === '1024', 3000, 20);
    expect(f.get('rbs')).toBe('1024');
    expect(await infoNumber(admin, 'reply_buffer_shrinks')).toBeGreaterThan(before);
    await c.call('SET', 'mid', 'x'.repeat(8000));
    for (let i = 0; i < 30; i++) {
      await c.call('GET', 'mid');
      f = await listOf(admin, id);
      if (Number(f.get('rbs')) > 1024) break;
      await c.settle(25);
    }
    expect(Number(f.get('rbs'))).toBeGreaterThan(1024);
    expect(await infoNumber(admin, 'reply_buffer_expands')).toBeGreaterThan(0);
    c.close();
    admin.close();
  });

  it('a client with a huge pending reply does not hold up the others', async () => {
    const admin = await RawClient.connect(server.port);
    await admin.call('SET', 'huge', 'h'.repeat(8 * 1024 * 1024));
    const hog = await RawClient.connect(server.port);
    const hogId = String(await clientId(hog));
    hog.socket.pause();
    for (let i = 0; i < 8; i++) hog.write(resp('GET', 'huge'));
    const f = await until(() => listOf(admin, hogId), (m) => Number(m.get('omem')) > 0, 5000, 20);
    expect(Number(f.get('omem'))).toBeGreaterThan(0);
    expect(Number(f.get('oll'))).toBeGreaterThan(0);
    // Everyone else is answered, completely and in order, while the hog's output waits.
    const other = await RawClient.connect(server.port);
    for (let i = 0; i < 50; i++) expect(await other.call('ECHO', `n${i}`)).toBe(`$${String(i).length + 1}\r\nn${i}\r\n`);
    hog.close();
    other.close();
    admin.close();
  });
});

describe('maxmemory-clients', async () => {
  const server = await startServer();

  it('evicts the largest client over the limit, spares NO-EVICT ones, counts evicted_clients', async () => {
    const admin = await RawClient.connect(server.port);
    expect(await admin.call('CLIENT', 'NO-EVICT', 'on')).toBe('+OK\r\n');
    await admin.call('SET', 'huge', 'h'.repeat(4 * 1024 * 1024));
    const hog = await RawClient.connect(server.port);
    const hogId = String(await clientId(hog));
    hog.socket.pause();
    for (let i = 0; i < 16; i++) hog.write(resp('GET', 'huge'));
    await until(() => listOf(admin, hogId), (m) => m === undefined || Number(m.get('omem')) > 1024 * 1024, 5000, 20);
    const before = await infoNumber(admin, 'evicted_clients');
    expect(await admin.call('CONFIG', 'SET', 'maxmemory-clients', '1mb')).toBe('+OK\r\n');
    const gone = await until(() => admin.call('CLIENT', 'LIST', 'ID', hogId), (r) => r === '$0\r\n\r\n', 5000, 50);
    expect(gone).toBe('$0\r\n\r\n');
    expect(await infoNumber(admin, 'evicted_clients')).toBe(before + 1);
    // The NO-EVICT admin survived and still gets replies.
    expect(clientFields(bulkText(await admin.call('CLIENT', 'INFO'))).get('flags')).toContain('e');
    expect(await admin.call('CONFIG', 'SET', 'maxmemory-clients', '0')).toBe('+OK\r\n');
    hog.close();
    admin.close();
  });
});

describe('bad input under load', async () => {
  const server = await startServer({ maxclients: 3000 });

  it('a 600 MB bulk header is refused (over proto-max-bulk-len) and the server goes on', async () => {
    const c = await RawClient.connect(server.port);
    const expected = '-ERR Protocol error: invalid bulk length\r\n';
    expect(await c.exchange('*2\r\n$3\r\nGET\r\n$629145600\r\n', expected.length)).toBe(expected);
    expect(await c.waitClose()).toBe(true);
    const d = await RawClient.connect(server.port);
    expect(await d.call('PING')).toBe('+PONG\r\n');
    d.close();
  });

  it('1,000 clients each holding an unfinished request: memory stays bounded, others are served', async () => {
    const holders: RawClient[] = [];
    for (let i = 0; i < 1000; i++) {
      const h = await RawClient.connect(server.port);
      h.write(`*2\r\n$4\r\nECHO\r\n$100\r\n${'x'.repeat(50)}`);
      holders.push(h);
    }
    const admin = await RawClient.connect(server.port);
    const list = clientList(await admin.call('CLIENT', 'LIST'));
    const partial = list.filter((f) => Number(f.get('qbuf')) > 0);
    expect(partial.length).toBeGreaterThanOrEqual(990);
    for (const f of partial) expect(Number(f.get('qbuf'))).toBeLessThan(200);
    for (let i = 0; i < 20; i++) expect(await admin.call('ECHO', `still ${i}`)).toBe(`$${`still ${i}`.length}\r\nstill ${i}\r\n`);
    // Each holder finishes its request and gets its reply.
    for (const h of holders) h.write(`${'y'.repeat(50)}\r\n`);
    for (const h of holders) expect(await h.waitMatch(/\$100\r\nx{50}y{50}\r\n$/)).toMatch(/y{50}/);
    for (const h of holders) h.close();
    admin.close();
  });

  it('DEBUG REPLYBUFFER RESIZING 0 stops the resizing; 1 turns it back on', async () => {
    const admin = await RawClient.connect(server.port);
    expect(await admin.call('DEBUG', 'REPLYBUFFER', 'RESIZING', '0')).toBe('+OK\r\n');
    const c = await RawClient.connect(server.port);
    const id = String(await clientId(c));
    // A server alike with resizing on shrinks a client that connected later than ours.
    const control = await startServer();
    const controlAdmin = await RawClient.connect(control.port);
    const later = await RawClient.connect(control.port);
    const laterId = String(await clientId(later));
    expect((await until(() => listOf(controlAdmin, laterId), (m) => m.get('rbs') === '1024', 3000, 20)).get('rbs')).toBe('1024');
    later.close();
    controlAdmin.close();
    expect((await listOf(admin, id)).get('rbs')).toBe('16384');
    expect(await admin.call('DEBUG', 'REPLYBUFFER', 'RESIZING', '1')).toBe('+OK\r\n');
    const f = await until(() => listOf(admin, id), (m) => m.get('rbs') === '1024', 3000, 20);
    expect(f.get('rbs')).toBe('1024');
    expect(await admin.call('DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'never')).toBe('+OK\r\n');
    expect(await admin.call('DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'reset')).toBe('+OK\r\n');
    c.close();
    admin.close();
  });
});

describe('queued MULTI data and the query-buffer limit', async () => {
  const server = await startServer({ 'client-query-buffer-limit': '1mb' });

  it('a transaction whose queued arguments pass the limit closes the client', async () => {
    const admin = await RawClient.connect(server.port);
    const before = await infoNumber(admin, 'client_query_buffer_limit_disconnections');
    const c = await RawClient.connect(server.port);
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    const v = 'q'.repeat(300 * 1024);
    for (let i = 0; i < 3; i++) expect(await c.call('SET', `m${i}`, v)).toBe('+QUEUED\r\n');
    c.write(resp('SET', 'm3', v));
    expect(await c.waitClose()).toBe(true);
    expect(await infoNumber(admin, 'client_query_buffer_limit_disconnections')).toBe(before + 1);
    admin.close();
  });
});
