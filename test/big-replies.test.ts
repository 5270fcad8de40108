// Replies bigger than the shared reply area (1 MiB) of every kind: CLIENT LIST and INFO with
// 5,000 clients connected, in RESP2 (a bulk string) and RESP3 (a verbatim string), answer whole,
// and the server goes on serving everyone.
import { connect, type Socket } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { RawClient, bulkText, startServer } from './helpers.js';

const CLIENTS = 5000;

it('CLIENT LIST with 5,000 clients, RESP2 and RESP3', async () => {
  const s = await startServer({ maxclients: 10000 });
  const sockets: Socket[] = [];
  afterAll(() => {
    for (const k of sockets) k.destroy();
  });
  // Connect in bounded waves so the accept backlog never overflows.
  for (let done = 0; done < CLIENTS; done += 500) {
    await Promise.all(Array.from({ length: 500 }, () => new Promise<void>((resolve, reject) => {
      const k = connect(s.port, '127.0.0.1', () => resolve());
      k.on('error', reject);
      sockets.push(k);
    })));
  }
  const c2 = await RawClient.connect(s.port);
  const c3 = await RawClient.connect(s.port);
  await c3.call('HELLO', '3');
  // All are registered once the server has seen them.
  for (let i = 0; i < 200; i++) {
    if (/connected_clients:(\d+)/.exec(await c2.call('INFO', 'clients'))![1] === String(CLIENTS + 2)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const list2 = await c2.call('CLIENT', 'LIST');
  expect(list2[0]).toBe('$');
  const lines2 = bulkText(list2).split('\n').filter(Boolean);
  expect(lines2.length).toBe(CLIENTS + 2);
  expect(bulkText(list2).length).toBeGreaterThan(1 << 20);
  const list3 = await c3.call('CLIENT', 'LIST');
  expect(list3.startsWith('=')).toBe(true);
  expect(bulkText(list3).split('\n').filter(Boolean).length).toBe(CLIENTS + 2);
  expect(await c3.call('INFO', 'everything')).toMatch(/^=\d+\r\ntxt:# Server\r\n/);
  expect(await c2.call('PING')).toBe('+PONG\r\n');
  expect(await c3.call('PING')).toBe('+PONG\r\n');
  c2.close();
  c3.close();
}, 60000);
