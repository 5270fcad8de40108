// Streams in RDB (rdb.c): the listpack nodes with their master IDs, the length and the IDs a
// stream keeps (last, first, max deleted, entries added: RDB_TYPE_STREAM_LISTPACKS_2 and later),
// then its consumer groups with their pending entries and consumers (each consumer's active time
// from RDB_TYPE_STREAM_LISTPACKS_3, Redis 7.2).
import { Listpack } from '../data/listpack.js';
import { RedisStream } from '../data/stream.js';
import { StreamConsumer, StreamGroup, type Nack } from '../data/stream-group.js';
import type { StreamID } from '../data/stream-id.js';
import type { RdbReader } from './rdb-encoding.js';
import { listpackItems, text, type RdbOut } from './rdb-out.js';

export const RDB_TYPE_STREAM_LISTPACKS = 15;
export const RDB_TYPE_STREAM_LISTPACKS_2 = 19;
export const RDB_TYPE_STREAM_LISTPACKS_3 = 21;

export function saveStream(o: RdbOut, s: RedisStream, compress: boolean, v10: boolean): void {
  o.len(s.nodes.length);
  for (const n of s.nodes) {
    o.str(o.id128(n.master), false);
    o.str(n.lp.bytes(), compress);
  }
  o.len(s.length);
  o.len64(s.lastId.ms);
  o.len64(s.lastId.seq);
  o.len64(s.firstId.ms);
  o.len64(s.firstId.seq);
  o.len64(s.maxDeletedId.ms);
  o.len64(s.maxDeletedId.seq);
  o.len(s.entriesAdded);
  const groups = [...(s.groups ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  o.len(groups.length);
  for (const [name, g] of groups) {
    o.str(name, false);
    o.len64(g.lastId.ms);
    o.len64(g.lastId.seq);
    o.len64(BigInt.asUintN(64, BigInt(g.entriesRead)));
    o.len(g.pel.size);
    for (let i = 0; i < g.pel.size; i++) {
      o.bytes(o.id128(g.pel.ids[i]!));
      o.ms(g.pel.vals[i]!.deliveryTime);
      o.len(g.pel.vals[i]!.deliveryCount);
    }
    const consumers = g.sortedConsumers();
    o.len(consumers.length);
    for (const c of consumers) {
      o.str(c.name, false);
      o.ms(c.seenTime);
      if (!v10) o.ms(c.activeTime);
      o.len(c.pel.size);
      for (const id of c.pel.ids) o.bytes(o.id128(id));
    }
  }
}

function id128(b: Uint8Array): StreamID | undefined {
  if (b.length !== 16) return undefined;
  const buf = Buffer.from(b.buffer, b.byteOffset, 16);
  return { ms: buf.readBigUInt64BE(0), seq: buf.readBigUInt64BE(8) };
}

export function loadStream(type: number, r: RdbReader, now: number): RedisStream | undefined {
  const s = new RedisStream();
  const u64 = (): bigint | undefined => {
    const b = r.byte();
    if (b === undefined) return undefined;
    if (b === 0x81) {
      if (r.pos + 8 > r.data.length) return undefined;
      const v = Buffer.from(r.data.buffer, r.data.byteOffset + r.pos, 8).readBigUInt64BE(0);
      r.pos += 8;
      return v;
    }
    r.pos--;
    const l = r.length();
    return l && !l[1] ? BigInt(l[0]) : undefined;
  };
  const n = r.length();
  if (!n) return undefined;
  for (let i = 0; i < n[0]; i++) {
    const key = r.string();
    const blob = r.string();
    const master = key && id128(key);
    if (!master || !blob || !listpackItems(blob)) return undefined;
    s.nodes.push({ master, lp: new Listpack(0, blob) });
  }
  const length = u64();
  const lastMs = u64();
  const lastSeq = u64();
  if (length === undefined || lastMs === undefined || lastSeq === undefined) return undefined;
  s.length = Number(length);
  s.lastId = { ms: lastMs, seq: lastSeq };
  if (type >= RDB_TYPE_STREAM_LISTPACKS_2) {
    const fm = u64();
    const fs = u64();
    const dm = u64();
    const ds = u64();
    const added = u64();
    if (fm === undefined || fs === undefined || dm === undefined || ds === undefined || added === undefined) return undefined;
    s.firstId = { ms: fm, seq: fs };
    s.maxDeletedId = { ms: dm, seq: ds };
    s.entriesAdded = Number(added);
  } else {
    s.entriesAdded = s.length;
    s.firstId = s.length ? s.edgeId(true) : { ms: 0n, seq: 0n };
  }
  const ngroups = r.length();
  if (!ngroups) return undefined;
  for (let g = 0; g < ngroups[0]; g++) {
    const name = r.string();
    const ms = u64();
    const seq = u64();
    if (!name || ms === undefined || seq === undefined) return undefined;
    let entriesRead = -1;
    if (type >= RDB_TYPE_STREAM_LISTPACKS_2) {
      const er = u64();
      if (er === undefined) return undefined;
      entriesRead = Number(BigInt.asIntN(64, er));
    }
    const group = new StreamGroup({ ms, seq }, entriesRead);
    s.groups ??= new Map();
    if (s.groups.has(text(name))) return undefined;
    s.groups.set(text(name), group);
    const pel = r.length();
    if (!pel) return undefined;
    const nacks = new Map<string, { id: StreamID; nack: Nack }>();
    const orphan = new StreamConsumer('', now);
    for (let i = 0; i < pel[0]; i++) {
      if (r.pos + 24 > r.data.length) return undefined;
      const id = id128(r.data.subarray(r.pos, r.pos + 16))!;
      const time = Number(Buffer.from(r.data.buffer, r.data.byteOffset + r.pos + 16, 8).readBigInt64LE(0));
      r.pos += 24;
      const count = r.length();
      if (!count) return undefined;
      const nack: Nack = { deliveryTime: time, deliveryCount: count[0], consumer: orphan };
      group.pel.set(id, nack);
      nacks.set(`${id.ms}-${id.seq}`, { id, nack });
    }
    const nconsumers = r.length();
    if (!nconsumers) return undefined;
    for (let c = 0; c < nconsumers[0]; c++) {
      const cname = r.string();
      if (!cname || r.pos + 8 > r.data.length) return undefined;
      const seen = Number(Buffer.from(r.data.buffer, r.data.byteOffset + r.pos, 8).readBigInt64LE(0));
      r.pos += 8;
      let active = seen;
      if (type >= RDB_TYPE_STREAM_LISTPACKS_3) {
        if (r.pos + 8 > r.data.length) return undefined;
        active = Number(Buffer.from(r.data.buffer, r.data.byteOffset + r.pos, 8).readBigInt64LE(0));
        r.pos += 8;
      }
      const consumer = new StreamConsumer(text(cname), seen, active);
      group.consumers.set(consumer.name, consumer);
      const cpel = r.length();
      if (!cpel) return undefined;
      for (let i = 0; i < cpel[0]; i++) {
        if (r.pos + 16 > r.data.length) return undefined;
        const id = id128(r.data.subarray(r.pos, r.pos + 16))!;
        r.pos += 16;
        const found = nacks.get(`${id.ms}-${id.seq}`);
        if (!found) return undefined;
        found.nack.consumer = consumer;
        consumer.pel.set(id, found.nack);
      }
    }
    // Every pending entry must belong to a consumer (Redis refuses the payload otherwise).
    for (const { nack } of nacks.values()) if (nack.consumer === orphan) return undefined;
  }
  return s;
}

