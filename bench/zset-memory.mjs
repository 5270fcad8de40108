#!/usr/bin/env node
// Memory per sorted-set member, settled: one sorted set of 1,000,000 members ("member:N", integer
// scores) loaded into respd and (when installed) redis-server; reports RSS growth per member 1.5 s
// after the load and again after SETTLE_MS (default 35 s, past V8's idle memory reducer), with
// INFO's used_memory growth per member at the same two moments.
import { connect } from 'node:net';
import { cmd, hasRedis, load, rssKb, sleep, startServer } from './mem-lib.mjs';

const N = 1_000_000;
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 35000);

/**
 * INFO memory's heap figure: respd's used_memory_vm_heap (what V8 holds; its used_memory is the
 * allocator-model estimate maxmemory uses), redis-server's used_memory.
 */
async function usedMemory(port) {
  const s = connect(port, '127.0.0.1');
  let text = '';
  s.on('data', (d) => { text += d.toString('latin1'); });
  s.write(cmd('INFO', 'memory'));
  while (!/used_memory:\d+/.test(text) || !text.endsWith('\r\n')) await sleep(5);
  s.destroy();
  return Number((/used_memory_vm_heap:(\d+)/.exec(text) ?? /used_memory:(\d+)/.exec(text))[1]);
}

async function measure(kind) {
  const { port, child } = await startServer(kind);
  const base = rssKb(child.pid);
  const baseUsed = await usedMemory(port);
  await load(port, N, (i) => cmd('ZADD', 'zs', i, `member:${i}`));
  await sleep(1500);
  const early = rssKb(child.pid);
  const earlyUsed = await usedMemory(port);
  await sleep(SETTLE_MS);
  const late = rssKb(child.pid);
  const lateUsed = await usedMemory(port);
  child.kill('SIGKILL');
  const per = (kb) => Math.round(((kb - base) * 1024) / N);
  const perUsed = (b) => Math.round((b - baseUsed) / N);
  return `${kind.padEnd(6)} per member: RSS ${per(early)} after 1.5 s, ${per(late)} after ${SETTLE_MS / 1000} s; used_memory ${perUsed(earlyUsed)} then ${perUsed(lateUsed)}`;
}

console.log(await measure('respd'));
if (hasRedis) console.log(await measure('redis'));
