// Values of 32 KiB and more arrive as native blocks, and the keyspace frees a block as soon as it
// drops the value (src/engine/release.ts). Whatever path a big value takes, no other key, reply
// or queued command may see it emptied: each test checks the bytes that must survive.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, until } from './helpers.js';

const big = (seed: number, n = 100 * 1024): Buffer => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
};

describe('big string values', async () => {
  const server = await startServer();
  const r = new Redis({ port: server.port, host: '127.0.0.1' });
  afterAll(() => r.disconnect());
  const get = (k: string) => r.getBuffer(k);

  it('overwritten again and again, the key always holds the last value', async () => {
    for (let i = 0; i < 300; i++) {
      expect(await r.set('b:loop', big(i))).toBe('OK');
      if (i % 50 === 0 || i === 299) expect((await get('b:loop'))!.equals(big(i))).toBe(true);
    }
  });

  it('SET ... GET hands back the old value whole, then stores the new one', async () => {
    await r.set('b:get', big(1));
    const old = await r.callBuffer('SET', 'b:get', big(2), 'GET');
    expect((old as Buffer).equals(big(1))).toBe(true);
    expect((await get('b:get'))!.equals(big(2))).toBe(true);
    expect(((await r.getsetBuffer('b:get', big(3))) as Buffer).equals(big(2))).toBe(true);
    expect((await r.getdelBuffer('b:get'))!.equals(big(3))).toBe(true);
  });

  it('a COPY keeps its bytes when the source is overwritten or deleted', async () => {
    await r.set('b:src', big(4));
    expect(await r.copy('b:src', 'b:dst')).toBe(1);
    await r.set('b:src', big(5));
    expect((await get('b:dst'))!.equals(big(4))).toBe(true);
    await r.del('b:src');
    expect((await get('b:dst'))!.equals(big(4))).toBe(true);
  });

  it('RENAME onto a big key, MSET of big values, then overwrites', async () => {
    await r.mset('b:m1', big(6), 'b:m2', big(7));
    expect(await r.rename('b:m1', 'b:m2')).toBe('OK');
    expect((await get('b:m2'))!.equals(big(6))).toBe(true);
    await r.set('b:m2', 'small');
    expect(await r.get('b:m2')).toBe('small');
    await r.set('b:m2', big(8));
    expect((await get('b:m2'))!.equals(big(8))).toBe(true);
  });

  it('APPEND and SETRANGE on a big value, then an overwrite', async () => {
    await r.set('b:edit', big(9));
    expect(await r.append('b:edit', 'tail')).toBe(big(9).length + 4);
    expect(await r.setrange('b:edit', 10, 'XY')).toBe(big(9).length + 4);
    const want = Buffer.concat([big(9), Buffer.from('tail')]);
    want.write('XY', 10, 'latin1');
    expect((await get('b:edit'))!.equals(want)).toBe(true);
    await r.set('b:edit', big(10));
    expect((await get('b:edit'))!.equals(big(10))).toBe(true);
  });

  it('inside MULTI, and a big value overwritten by itself from a pipeline', async () => {
    const res = await r.multi().set('b:tx', big(11)).get('b:tx').set('b:tx', big(12)).exec();
    expect(res![1]![1]).toBe(big(11).toString());
    expect((await get('b:tx'))!.equals(big(12))).toBe(true);
    const p = r.pipeline();
    for (let i = 0; i < 20; i++) p.set('b:pipe', big(20 + i)).getBuffer('b:pipe');
    const out = await p.exec();
    for (let i = 0; i < 20; i++) expect((out![2 * i + 1]![1] as Buffer).equals(big(20 + i))).toBe(true);
  });

  it('RENAME and MOVE carry the bytes; DEL and expiry drop them', async () => {
    await r.set('b:mv', big(30));
    expect(await r.rename('b:mv', 'b:mv2')).toBe('OK');
    expect((await get('b:mv2'))!.equals(big(30))).toBe(true);
    expect(await r.move('b:mv2', 1)).toBe(1);
    const r1 = new Redis({ port: server.port, host: '127.0.0.1', db: 1 });
    expect((await r1.getBuffer('b:mv2'))!.equals(big(30))).toBe(true);
    await r1.set('b:mv2', big(31));
    expect((await r1.getBuffer('b:mv2'))!.equals(big(31))).toBe(true);
    r1.disconnect();
    await r.set('b:del', big(32));
    expect(await r.del('b:del')).toBe(1);
    expect(await r.get('b:del')).toBeNull();
    await r.set('b:exp', big(33), 'PX', 20);
    // Read until it is gone: a read finds it expired and drops it.
    await until(() => r.get('b:exp'), (v) => v === null);
    expect(await r.get('b:exp')).toBeNull();
    await r.set('b:exp', big(34));
    expect((await get('b:exp'))!.equals(big(34))).toBe(true);
  });

  it('SETRANGE in place on a big value keeps it, a later overwrite frees it', async () => {
    await r.set('b:inplace', big(35));
    expect(await r.setrange('b:inplace', 5, 'zz')).toBe(big(35).length);
    const want = big(35);
    want.write('zz', 5, 'latin1');
    expect((await get('b:inplace'))!.equals(want)).toBe(true);
    expect(await r.setbit('b:inplace', 0, 1)).toBe((want[0]! >> 7) & 1);
    want[0] = want[0]! | 0x80;
    expect((await get('b:inplace'))!.equals(want)).toBe(true);
    await r.set('b:inplace', big(36));
    expect((await get('b:inplace'))!.equals(big(36))).toBe(true);
  });

  it('a big list element survives the string key it came with being overwritten', async () => {
    const v = big(13);
    await r.set('b:s', v);
    await r.rpush('b:l', v);
    await r.set('b:s', big(14));
    expect((await r.lindexBuffer('b:l', 0))!.equals(v)).toBe(true);
    await r.set('b:l', 'now a string');
    expect(await r.get('b:l')).toBe('now a string');
  });
});
