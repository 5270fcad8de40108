#!/usr/bin/env node
// Memory per stream entry: 1,000,000 XADD entries (`*` IDs, two small fields each, as an event
// log writes them) into one stream, loaded into respd and (when installed) redis-server, one at a
// time; reports the server's RSS growth per entry. respd keeps entries in listpack nodes laid out
// as Redis's (src/data/stream.ts), so the per-entry cost should be Redis's plus the node objects.
// Run as `node bench/stream-memory.mjs`; needs redis-server for the comparison.
import { cmd, hasRedis, load, rssKb, sleep, startServer } from './mem-lib.mjs';

const N = 1_000_000;

async function measure(kind, nodeFlags = []) {
  const { port, child } = await startServer(kind, nodeFlags);
  const base = rssKb(child.pid);
  await load(port, N, (i) => cmd('XADD', 'events', '*', 'type', 'click', 'user', `u${i % 1000}`));
  await sleep(1500);
  const after = rssKb(child.pid);
  child.kill('SIGKILL');
  return { kind: nodeFlags.length ? `${kind} (${nodeFlags.join(' ')})` : kind, perEntry: Math.round(((after - base) * 1024) / N) };
}

const rows = [await measure('respd'), await measure('respd', ['--max-semi-space-size=1'])];
if (hasRedis) rows.push(await measure('redis'));
else console.log('redis-server not found: install the Debian package redis-server for the comparison');
for (const r of rows) console.log(`${r.kind.padEnd(36)} ${r.perEntry} bytes per stream entry`);
const redis = rows.find((r) => r.kind === 'redis');
if (redis) for (const r of rows.filter((x) => x !== redis)) console.log(`ratio ${r.kind} / redis-server: ${(r.perEntry / redis.perEntry).toFixed(2)}`);
