#!/usr/bin/env node
// Memory per key: 1,000,000 small string keys (key:N -> val:N), then a sorted set of 1,000,000
// members, loaded into respd and (when installed) redis-server, one at a time; reports the
// server's RSS growth per key / per member. Needs redis-server for the comparison.
//
// respd is measured twice: as `npx respd` runs it, and with V8's young generation capped
// (node --max-semi-space-size=1). The young generation is a fixed cost, not a per-key one: under a
// load it grows to its maximum (~30 MB of RSS with node 20's defaults) whatever the key count, and
// divided by 1M keys it reads as ~25-30 bytes per key. The second row is the per-key cost itself.
import { cmd, hasRedis, load, rssKb, sleep, startServer } from './mem-lib.mjs';

const N = 1_000_000;

async function measure(kind, nodeFlags = []) {
  const { port, child } = await startServer(kind, nodeFlags);
  const base = rssKb(child.pid);
  await load(port, N, (i) => cmd('SET', `key:${i}`, `val:${i}`));
  await sleep(1500);
  const strings = rssKb(child.pid);
  await load(port, N, (i) => cmd('ZADD', 'zs', i, `member:${i}`));
  await sleep(1500);
  const zset = rssKb(child.pid);
  child.kill('SIGKILL');
  return { kind: nodeFlags.length ? `${kind} (${nodeFlags.join(' ')})` : kind, perStringKey: Math.round(((strings - base) * 1024) / N), perZsetMember: Math.round(((zset - strings) * 1024) / N) };
}

const rows = [await measure('respd'), await measure('respd', ['--max-semi-space-size=1'])];
if (hasRedis) rows.push(await measure('redis'));
else console.log('redis-server not found: install the Debian package redis-server for the comparison');
for (const r of rows) console.log(`${r.kind.padEnd(36)} ${r.perStringKey} bytes per small string key, ${r.perZsetMember} bytes per sorted-set member`);
const redis = rows.find((r) => r.kind === 'redis');
if (redis) {
  for (const r of rows.filter((x) => x !== redis)) {
    console.log(`ratios ${r.kind} / redis-server: strings ${(r.perStringKey / redis.perStringKey).toFixed(2)}, zset ${(r.perZsetMember / redis.perZsetMember).toFixed(2)}`);
  }
}
