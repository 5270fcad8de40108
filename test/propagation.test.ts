// The propagation stream, as a replica attached with PSYNC receives it: each scenario of
// scenarios/propagation.txt gives the commands Redis recorded (propagation.expected.json, from
// scripts/record-propagation.mjs), timestamps masked. Where Redis 7.0 (the recording) and 7.2
// (the reference) differ, the 7.2 stream is written here as an override, with the reason.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module shared with the recording script
import { captureStream } from '../scripts/propagation-lib.mjs';
// @ts-expect-error plain JavaScript module shared with the recording script
import { parseScenarios } from '../scripts/propagation-scenarios.mjs';
import { startServer } from './helpers.js';

const dir = join(import.meta.dirname, 'scenarios');
const scenarios = parseScenarios(readFileSync(join(dir, 'propagation.txt'), 'utf8')) as { name: string; body: string }[];
const expected = JSON.parse(readFileSync(join(dir, 'propagation.expected.json'), 'utf8')) as { streams: Record<string, string[][]> };

/** Where Redis 7.2 (the reference) propagates otherwise than the 7.0 recording. */
const overrides: Record<string, (stream: string[][]) => string[][]> = {
  // 7.0 serves a blocked BLMOVE itself and propagates LMOVE with its shared lower-case
  // directions; 7.2 runs the blocked command again (blocked.c), so they stay as sent.
  'blocked pops served later': (stream) => stream.map((c) => (c[0] === 'LMOVE' ? [c[0], c[1]!, c[2]!, 'LEFT', 'RIGHT'] : c)),
};

describe('the propagation stream as replicas receive it', async () => {
  const server = await startServer({ 'enable-debug-command': 'yes' });
  for (const { name, body } of scenarios) {
    it(name, async () => {
      const stream = (await captureStream(server.port, body)) as string[][];
      const want = expected.streams[name]!;
      expect(want.length).toBeGreaterThan(1);
      expect(stream).toEqual(overrides[name]?.(want) ?? want);
    });
  }
});

// What Redis 7.0 cannot record: hash field expiration (7.4 and 8.0's t_hash.c, read, not run),
// and deletions outside commands, whose order depends on sampling.
describe('the propagation stream beyond the recording', async () => {
  const server = await startServer({ 'enable-debug-command': 'yes', hz: 100 });
  const capture = (s: string) => captureStream(server.port, s) as Promise<string[][]>;

  it('hash field expiration as HPEXPIREAT, HPERSIST and HDEL', async () => {
    expect(await capture(`
      HSET h f1 a f2 b f3 c
      HEXPIRE h 100 FIELDS 2 f1 nope
      HPEXPIREAT h 4102444800000 NX FIELDS 1 f2
      HEXPIRE h 0 FIELDS 1 f3
      HPERSIST h FIELDS 1 f1
      HPEXPIRE h 20 FIELDS 1 f2
      #sleep 60
      HGET h f2
      HSET h f1 a f2 b
      HGETEX h PX 100000 FIELDS 2 f1 zz
      HGETEX h PERSIST FIELDS 1 f1
      HGETEX h EXAT 1 FIELDS 1 f2
      HSETEX h2 EX 100 FIELDS 1 a 1
      HSETEX h2 PXAT 4102444800000 FIELDS 1 b 2
      HGETDEL h2 FIELDS 2 a zz
      HSETEX h3 PX 100000 FIELDS 1 f 1
      HINCRBYFLOAT h3 f 0.5
      HINCRBYFLOAT h3 g 0.5
    `)).toEqual([
      ['SELECT', '0'],
      ['HSET', 'h', 'f1', 'a', 'f2', 'b', 'f3', 'c'],
      ['HPEXPIREAT', 'h', '<ms>', 'FIELDS', '1', 'f1'],
      ['HPEXPIREAT', 'h', '<ms>', 'NX', 'FIELDS', '1', 'f2'],
      ['HDEL', 'h', 'f3'],
      ['HPERSIST', 'h', 'FIELDS', '1', 'f1'],
      ['HPEXPIREAT', 'h', '<ms>', 'FIELDS', '1', 'f2'],
      ['HDEL', 'h', 'f2'],
      ['HSET', 'h', 'f1', 'a', 'f2', 'b'],
      ['HPEXPIREAT', 'h', '<ms>', 'FIELDS', '2', 'f1', 'zz'],
      ['HPERSIST', 'h', 'FIELDS', '1', 'f1'],
      ['HDEL', 'h', 'f2'],
      ['HSETEX', 'h2', 'PXAT', '<ms>', 'FIELDS', '1', 'a', '1'],
      ['HSETEX', 'h2', 'PXAT', '<ms>', 'FIELDS', '1', 'b', '2'],
      ['HDEL', 'h2', 'a', 'zz'],
      ['HSETEX', 'h3', 'PXAT', '<ms>', 'FIELDS', '1', 'f', '1'],
      ['HSETEX', 'h3', 'KEEPTTL', 'FIELDS', '1', 'f', '1.5'],
      ['HSET', 'h3', 'g', '0.5'],
    ]);
  });

  it('active expiry: each expired key and field as its own DEL or HDEL, outside any MULTI', async () => {
    const stream = await capture(`
      SET k1 v PX 20
      SET k2 v PX 20
      HSET h x 1 y 2
      HPEXPIRE h 20 FIELDS 1 x
      #sleep 500
    `);
    expect(stream.slice(0, 5)).toEqual([
      ['SELECT', '0'],
      ['SET', 'k1', 'v', 'PXAT', '<ms>'],
      ['SET', 'k2', 'v', 'PXAT', '<ms>'],
      ['HSET', 'h', 'x', '1', 'y', '2'],
      ['HPEXPIREAT', 'h', '<ms>', 'FIELDS', '1', 'x'],
    ]);
    expect(stream.slice(5).map((c) => c.join(' ')).sort()).toEqual(['DEL k1', 'DEL k2', 'HDEL h x']);
  });

  it('lazyfree-lazy-expire turns expiry into UNLINK; eviction deletes as DEL before the refused command', async () => {
    const stream = await capture(`
      CONFIG SET lazyfree-lazy-expire yes
      SET k v PX 20
      #sleep 60
      GET k
      EXPIRE k2 0
      SET k3 v
      EXPIRE k3 0
      CONFIG SET lazyfree-lazy-expire no
      SET a 1
      SET b 2
      CONFIG SET maxmemory-policy allkeys-random
      CONFIG SET maxmemory 1
      SET c 3
      CONFIG SET maxmemory 0
      CONFIG SET maxmemory-policy noeviction
    `);
    expect(stream.slice(0, 6)).toEqual([
      ['SELECT', '0'],
      ['SET', 'k', 'v', 'PXAT', '<ms>'],
      ['UNLINK', 'k'],
      ['SET', 'k3', 'v'],
      ['UNLINK', 'k3'],
      ['SET', 'a', '1'],
    ]);
    expect(stream.slice(6, 7)).toEqual([['SET', 'b', '2']]);
    expect(stream.slice(7).map((c) => c.join(' ')).sort()).toEqual(['DEL a', 'DEL b']);
  });
});
