#!/usr/bin/env node
// Loading an RDB of KEYS (1,000,000) small strings (DEBUG POPULATE) in this process: the load in
// one go (what DEBUG RELOAD does: persistence.loadBuffer) and the load in slices that yields to
// the event loop between them (start-up's and a replica's: persistence.loadInBackground), medians
// of ROUNDS (7), the rounds taking turns. `--baseline DIR` adds another checkout's load in one go
// (its dist/index.js), to compare before/after a change. Run after `npm run build:ts`, with
// `node --expose-gc` for steadier figures.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { createServer } from '../dist/index.js';

const N = Number(process.env.KEYS ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const at = process.argv.indexOf('--baseline');
const baseline = at > 0 ? await import(pathToFileURL(join(resolve(process.argv[at + 1]), 'dist', 'index.js')).href) : undefined;

const dir = mkdtempSync(join(tmpdir(), 'respd-rdb-load-'));
try {
  const maker = await createServer({ dir, save: '' });
  const r = new Redis({ port: maker.port });
  await r.call('DEBUG', 'POPULATE', String(N));
  await r.save();
  r.disconnect();
  await maker.close();
  const data = readFileSync(join(dir, 'dump.rdb'));

  const ours = await createServer({});
  const theirs = baseline ? await baseline.createServer({}) : undefined;
  const oneGo = (h) => () => {
    const err = h.server.persistence.loadBuffer(data);
    if (err) throw new Error(err);
  };
  const sliced = () =>
    new Promise((done, fail) => ours.server.persistence.loadInBackground(data, {}, (x) => (typeof x === 'string' ? fail(new Error(x)) : done())));
  const cases = [
    ...(theirs ? [['baseline, in one go', theirs, oneGo(theirs)]] : []),
    ['in one go', ours, oneGo(ours)],
    ['in slices', ours, sliced],
  ];
  const times = cases.map(() => []);
  // How long the event loop waits during a load in slices (what a client may wait for -LOADING):
  // the gaps between turns of a setImmediate chain running beside the load.
  const gaps = [];
  let ticking = 0;
  const tick = (last, chain) => {
    if (chain !== ticking) return;
    const now = performance.now();
    gaps.push(now - last);
    setImmediate(() => tick(now, chain));
  };
  for (let i = 0; i < ROUNDS; i++) {
    for (let c = 0; c < cases.length; c++) {
      const [, h, load] = cases[c];
      h.server.keyspace.flushAll();
      globalThis.gc?.();
      const t = performance.now();
      if (load === sliced) {
        const chain = ++ticking;
        setImmediate(() => tick(performance.now(), chain));
      }
      await load();
      times[c].push(performance.now() - t);
      ticking++;
      if (h.server.keyspace.dbs[0].size !== N) throw new Error('not every key loaded');
    }
  }
  const median = (t) => [...t].sort((a, b) => a - b)[t.length >> 1];
  console.log(`${N} keys, ${data.length} bytes, median of ${ROUNDS}:`);
  for (let c = 0; c < cases.length; c++) console.log(`  ${cases[c][0].padEnd(20)} ${median(times[c]).toFixed(0).padStart(6)} ms`);
  gaps.sort((a, b) => a - b);
  const pct = (p) => gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * p))].toFixed(1);
  console.log(`  event-loop turns during the loads in slices: ${gaps.length}, gap median ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms`);
  await ours.close();
  await theirs?.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
