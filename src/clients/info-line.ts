// The CLIENT LIST / CLIENT INFO line (networking.c catClientInfoString): every field in Redis's
// order, from the client's state and the engine's per-slot counters.
import { Field, SLOT_FIELDS, STAT_FIELDS } from '../engine/layout.js';
import type { Client } from './client.js';
import { flagLetters } from './flags.js';

/** Bytes of a client object and its bookkeeping, beside the buffers native reports. */
const CLIENT_STRUCT_BYTES = 1024;

/**
 * The reusable query buffer a client borrows while its command runs (resetReusableQueryBuf):
 * PROTO_IOBUF_LEN asked of jemalloc is 20480 bytes, 20474 of them usable by the sds.
 */
const REUSABLE_QB_ALLOC = 20480;
const REUSABLE_QB_USABLE = 20474;

export function clientMemory(c: Client, counters: Float64Array, running?: RunningCommand): number {
  const base = STAT_FIELDS + c.slot * SLOT_FIELDS;
  let subs = 0;
  for (const s of c.channels) subs += s.length + 32;
  for (const s of c.patterns) subs += s.length + 32;
  for (const s of c.shardChannels) subs += s.length + 32;
  const borrowed = running && counters[base + Field.Qbuf] === 0 ? REUSABLE_QB_ALLOC : 0;
  return counters[base + Field.Memory] + borrowed + CLIENT_STRUCT_BYTES + c.argvMem + (c.multi?.mem ?? 0) + c.watched.size * 64 + subs;
}

/** The command of the client being described, when it is the one running (CLIENT INFO / LIST). */
export interface RunningCommand {
  /** Its bytes as a multibulk request: what the query buffer holds while it runs. */
  readonly bytes: number;
}

/** qbuf / qbuf-free: the running command's bytes in the reusable buffer, or the private buffer. */
function queryBuffer(c: Client, f: (i: Field) => number, running: RunningCommand | undefined): [number, number] {
  const unparsed = f(Field.Qbuf);
  if (running) {
    if (unparsed !== 0) return [running.bytes + unparsed, f(Field.QbufFree)];
    return [running.bytes, Math.max(0, REUSABLE_QB_USABLE - running.bytes)];
  }
  // An idle client with nothing pending holds no buffer at all.
  return unparsed === 0 ? [0, 0] : [unparsed, f(Field.QbufFree)];
}

export function clientInfoLine(c: Client, counters: Float64Array, nowMs: number, running?: RunningCommand): string {
  const base = STAT_FIELDS + c.slot * SLOT_FIELDS;
  const f = (i: Field) => counters[base + i];
  const [qbuf, qbufFree] = queryBuffer(c, f, running);
  const nowS = Math.floor(nowMs / 1000);
  const events = f(Field.Events);
  return [
    `id=${c.id}`,
    `addr=${c.addr}`,
    `laddr=${c.laddr}`,
    `fd=${f(Field.Fd)}`,
    `name=${c.name}`,
    `age=${nowS - Math.floor(c.ctimeMs / 1000)}`,
    `idle=${nowS - Math.floor(f(Field.LastInteraction) / 1000)}`,
    `flags=${flagLetters(c.flags)}`,
    `db=${c.db}`,
    `sub=${c.channels.size}`,
    `psub=${c.patterns.size}`,
    `ssub=${c.shardChannels.size}`,
    `multi=${c.multi ? c.multi.commands.length : -1}`,
    `watch=${c.watched.size}`,
    `qbuf=${qbuf}`,
    `qbuf-free=${qbufFree}`,
    `argv-mem=${c.argvMem}`,
    `multi-mem=${c.multi?.mem ?? 0}`,
    `rbs=${f(Field.Rbs)}`,
    `rbp=${f(Field.Rbp)}`,
    `obl=${f(Field.Obl)}`,
    `oll=${f(Field.Oll)}`,
    `omem=${f(Field.Omem)}`,
    `tot-mem=${clientMemory(c, counters, running)}`,
    `events=${events & 1 ? 'r' : ''}${events & 2 ? 'w' : ''}`,
    `cmd=${c.lastCommand}`,
    `user=${c.user}`,
    `redir=${c.tracking ? c.tracking.redirect : -1}`,
    `resp=${c.resp}`,
    `lib-name=${c.libName}`,
    `lib-ver=${c.libVer}`,
  ].join(' ');
}
