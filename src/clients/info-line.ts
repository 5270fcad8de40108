// The CLIENT LIST / CLIENT INFO line (networking.c catClientInfoString): every field in Redis's
// order, from the client's state and the engine's per-slot counters.
import { Field, SLOT_FIELDS, STAT_FIELDS } from '../engine/layout.js';
import type { Client } from './client.js';
import { flagLetters } from './flags.js';

/** Bytes of a client object and its bookkeeping, beside the buffers native reports. */
const CLIENT_STRUCT_BYTES = 1024;

export function clientMemory(c: Client, counters: Float64Array): number {
  const base = STAT_FIELDS + c.slot * SLOT_FIELDS;
  let subs = 0;
  for (const s of c.channels) subs += s.length + 32;
  for (const s of c.patterns) subs += s.length + 32;
  for (const s of c.shardChannels) subs += s.length + 32;
  return counters[base + Field.Memory] + CLIENT_STRUCT_BYTES + c.argvMem + (c.multi?.mem ?? 0) + c.watched.size * 64 + subs;
}

export function clientInfoLine(c: Client, counters: Float64Array, nowMs: number): string {
  const base = STAT_FIELDS + c.slot * SLOT_FIELDS;
  const f = (i: Field) => counters[base + i];
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
    `qbuf=${f(Field.Qbuf)}`,
    `qbuf-free=${f(Field.QbufFree)}`,
    `argv-mem=${c.argvMem}`,
    `multi-mem=${c.multi?.mem ?? 0}`,
    `rbs=${f(Field.Rbs)}`,
    `rbp=${f(Field.Rbp)}`,
    `obl=${f(Field.Obl)}`,
    `oll=${f(Field.Oll)}`,
    `omem=${f(Field.Omem)}`,
    `tot-mem=${clientMemory(c, counters)}`,
    `events=${events & 1 ? 'r' : ''}${events & 2 ? 'w' : ''}`,
    `cmd=${c.lastCommand}`,
    `user=${c.user}`,
    `redir=${c.tracking ? c.tracking.redirect : -1}`,
    `resp=${c.resp}`,
    `lib-name=${c.libName}`,
    `lib-ver=${c.libVer}`,
  ].join(' ');
}
