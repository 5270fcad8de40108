#!/usr/bin/env node
// Writes the nodes.conf of a static respd cluster: one file per node, each listing every node
// (new 40-hex names, the 16384 slots split evenly among them) with `myself` on the node's own
// line, as README's Cluster section describes. Start each node with --cluster-enabled yes and
// --dir pointing at its folder.
// Usage: node scripts/cluster-conf.mjs <out-dir> host:port [host:port ...]
//        -> <out-dir>/<port>/nodes.conf
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const SLOTS = 16384;

/** The nodes of a cluster over `addresses` ('host:port'): id, shard id, host, port and slot range. */
export function planCluster(addresses) {
  const n = addresses.length;
  return addresses.map((a, i) => {
    const colon = a.lastIndexOf(':');
    return {
      id: randomBytes(20).toString('hex'),
      shard: randomBytes(20).toString('hex'),
      host: a.slice(0, colon),
      port: Number(a.slice(colon + 1)),
      first: Math.floor((SLOTS * i) / n),
      last: Math.floor((SLOTS * (i + 1)) / n) - 1,
    };
  });
}

/** The nodes.conf text of node `me` (an index into `plan`). */
export function nodesConf(plan, me) {
  const lines = plan.map((p, i) =>
    `${p.id} ${p.host}:${p.port}@${p.port + 10000},,tls-port=0,shard-id=${p.shard} ${i === me ? 'myself,' : ''}master - 0 0 ${i + 1} connected ${p.first}-${p.last}`);
  return `${lines.join('\n')}\nvars currentEpoch ${plan.length} lastVoteEpoch 0\n`;
}

/** Writes <out>/<port>/nodes.conf for every node; returns the folders in `plan`'s order. */
export function writeCluster(out, plan) {
  return plan.map((p, i) => {
    const dir = join(out, String(p.port));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'nodes.conf'), nodesConf(plan, i));
    return dir;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [out, ...addresses] = process.argv.slice(2);
  if (!out || addresses.length === 0 || addresses.some((a) => !/^.+:\d+$/.test(a))) {
    console.error('usage: node scripts/cluster-conf.mjs <out-dir> host:port [host:port ...]');
    process.exit(1);
  }
  const plan = planCluster(addresses);
  const dirs = writeCluster(out, plan);
  for (const [i, p] of plan.entries()) console.log(`${dirs[i]}/nodes.conf  ${p.host}:${p.port}  ${p.id}  slots ${p.first}-${p.last}`);
}
