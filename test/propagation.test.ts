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
