// Replays resp-diff scenarios whose replies were recorded from redis-server (scripts/record-
// scenario.mjs) and checks respd answers each step byte for byte. Time-dependent replies (TTL,
// PTTL) may differ by the clock's tick.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module shared with the recording script
import { encode, replyLength, splitCommandLine } from '../scripts/scenario-lib.mjs';
import { RawClient, startServer } from './helpers.js';

const server = await startServer();
const dir = join(import.meta.dirname, 'scenarios');

const TIMED = /^(p?ttl|p?expiretime)\b/i;

async function replay(name: string): Promise<void> {
  const steps = JSON.parse(readFileSync(join(dir, `${name}.expected.json`), 'utf8')) as [string, string][];
  const c = await RawClient.connect(server.port);
  for (const [line, expected] of steps) {
    const start = c.received.length;
    c.write((encode as (a: string[]) => Buffer)((splitCommandLine as (l: string) => string[])(line)));
    const deadline = Date.now() + 5000;
    let got = '';
    while (Date.now() < deadline) {
      const tail = Buffer.from(c.received.slice(start), 'latin1');
      const n = (replyLength as (b: Buffer) => number)(tail);
      if (n > 0) {
        got = tail.subarray(0, n).toString('latin1');
        break;
      }
      await c.waitBytes(c.received.length + 1, 50);
    }
    if (TIMED.test(line) && /^:\d+\r\n$/.test(expected) && /^:\d+\r\n$/.test(got)) {
      expect(Math.abs(Number(got.slice(1, -2)) - Number(expected.slice(1, -2))), line).toBeLessThanOrEqual(1000);
    } else {
      expect(got, line).toBe(expected);
    }
  }
  c.close();
}

describe('recorded scenarios', () => {
  it('strings and bitmaps (test/scenarios/strings.txt)', () => replay('strings'), 60000);
});
