// The stream type (t_stream.c): entries in listpack nodes, each node keyed by its master ID,
// nodes in ID order (Redis keeps them in a radix tree; an ordered array with binary search is
// the same order at this size). A node's listpack is laid out as Redis lays it out: a master
// entry (live count, deleted count, the first entry's fields), then entries as flags, ID deltas
// from the master, fields (or only values when they match the master's), and a back count.
// Deleting marks an entry; a node goes when its last live entry does. Nodes split where
// stream-node-max-bytes / -entries split Redis's, so trimming with `~` removes what Redis removes.
import { Listpack, type LpInt } from './listpack.js';
import { cmpId, ID_MAX, ID_ZERO, type StreamID, U64_MAX } from './stream-id.js';
import type { StreamGroup } from './stream-group.js';

const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;
/** STREAM_LISTPACK_MAX_SIZE: a node never grows past 1 GiB. */
const LISTPACK_MAX_SIZE = 1 << 30;

export interface StreamEntry {
  id: StreamID;
  /** field, value, field, value, ... (one char per byte). */
  fv: string[];
}

/** One node: its master ID (the radix tree key) and its listpack. */
export interface StreamNode {
  master: StreamID;
  lp: Listpack;
  /** The master entry's fields, read once (they never change): XADD compares with them. */
  fields?: string[];
}

/** Where a node's entries start, and the master fields, read from its master entry. */
interface NodeHeader {
  live: number;
  deleted: number;
  masterFields: string[];
  /** Offset of the first entry's flags, -1 when the node has no entries after the master. */
  firstEntry: number;
}

/** An entry found in a node: its ID, its flags offset, whether it is deleted. */
interface Located {
  id: StreamID;
  at: number;
  deleted: boolean;
}

function toBig(v: LpInt): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

function readHeader(lp: Listpack): NodeHeader {
  let p = lp.first();
  const live = Number(lp.getInt(p));
  p = lp.next(p);
  const deleted = Number(lp.getInt(p));
  p = lp.next(p);
  const n = Number(lp.getInt(p));
  const masterFields: string[] = [];
  for (let i = 0; i < n; i++) {
    p = lp.next(p);
    masterFields.push(lp.getString(p));
  }
  p = lp.next(p); // the master entry's 0 terminator
  return { live, deleted, masterFields, firstEntry: lp.next(p) };
}

/** Reads the entry whose flags are at `p`: its ID, deleted flag, fields (when `fv`), and the next entry's offset. */
function readEntry(lp: Listpack, p: number, master: StreamID, h: NodeHeader, fv: string[] | undefined): { id: StreamID; deleted: boolean; next: number } {
  const flags = Number(lp.getInt(p));
  p = lp.next(p);
  const ms = BigInt.asUintN(64, master.ms + toBig(lp.getInt(p)));
  p = lp.next(p);
  const seq = BigInt.asUintN(64, master.seq + toBig(lp.getInt(p)));
  p = lp.next(p);
  if (flags & FLAG_SAMEFIELDS) {
    for (let i = 0; i < h.masterFields.length; i++) {
      if (fv) fv.push(h.masterFields[i]!, lp.getString(p));
      p = lp.next(p);
    }
  } else {
    const n = Number(lp.getInt(p));
    p = lp.next(p);
    for (let i = 0; i < n; i++) {
      if (fv) fv.push(lp.getString(p));
      p = lp.next(p);
      if (fv) fv.push(lp.getString(p));
      p = lp.next(p);
    }
  }
  p = lp.next(p); // lp-count
  return { id: { ms, seq }, deleted: (flags & FLAG_DELETED) !== 0, next: p };
}

/** Limits of one trim (streamAddTrimArgs). */
export interface TrimArgs {
  strategy: 'maxlen' | 'minid';
  maxlen: number;
  minid: StreamID;
  approx: boolean;
  /** 0: no limit. */
  limit: number;
}

export class RedisStream {
  nodes: StreamNode[] = [];
  length = 0;
  lastId: StreamID = ID_ZERO;
  firstId: StreamID = ID_ZERO;
  maxDeletedId: StreamID = ID_ZERO;
  entriesAdded = 0;
  /** Consumer groups by name (created on the first XGROUP CREATE). */
  groups: Map<string, StreamGroup> | undefined;

  /** Node index holding IDs >= `id` first: the last node whose master is <= id (0 if none). */
  private seekNode(id: StreamID): number {
    let lo = 0;
    let hi = this.nodes.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cmpId(this.nodes[mid]!.master, id) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  // ---- appending ------------------------------------------------------------------------------

  /**
   * streamAppendItem: adds an entry with `fv` (field, value pairs). `id` given: used as is, or
   * with the next sequence when `seqGiven` is false. Returns the new ID, 'edom' when the ID is
   * not above the last one, 'erange' when the fields are too large.
   */
  append(fv: readonly string[], id: StreamID | undefined, seqGiven: boolean, maxBytes: number, maxEntries: number, nowMs: number): StreamID | 'edom' | 'erange' {
    let newId: StreamID;
    const last = this.lastId;
    if (id) {
      if (seqGiven) newId = id;
      else if (last.ms === id.ms) {
        if (last.seq === U64_MAX) return 'edom';
        newId = { ms: last.ms, seq: last.seq + 1n };
      } else newId = id;
    } else {
      const ms = BigInt(nowMs);
      if (ms > last.ms) newId = { ms, seq: 0n };
      else if (last.seq === U64_MAX) newId = last.ms === U64_MAX ? last : { ms: last.ms + 1n, seq: 0n };
      else newId = { ms: last.ms, seq: last.seq + 1n };
    }
    if (cmpId(newId, last) <= 0) return 'edom';
    let totelelen = 0;
    for (const s of fv) totelelen += s.length;
    if (totelelen > LISTPACK_MAX_SIZE) return 'erange';

    const numfields = fv.length / 2;
    let node = this.nodes.length ? this.nodes[this.nodes.length - 1]! : undefined;
    if (node) {
      const nodeMax = maxBytes === 0 || maxBytes > LISTPACK_MAX_SIZE ? LISTPACK_MAX_SIZE : maxBytes;
      let full = node.lp.size + totelelen >= nodeMax;
      if (!full && maxEntries) {
        const h = this.counts(node);
        full = h.live + h.deleted >= maxEntries;
      }
      if (full) {
        node.lp.shrink();
        node = undefined;
      }
    }
    let flags = 0;
    if (!node) {
      const lp = new Listpack(Math.min(4096, maxBytes > 0 ? maxBytes : 4096));
      lp.appendInt(1);
      lp.appendInt(0);
      lp.appendInt(numfields);
      for (let i = 0; i < numfields; i++) lp.appendString(fv[2 * i]!);
      lp.appendInt(0);
      node = { master: newId, lp };
      this.nodes.push(node);
      flags |= FLAG_SAMEFIELDS;
    } else {
      const lp = node.lp;
      const first = lp.first();
      lp.replaceInt(first, Number(lp.getInt(first)) + 1);
      const masterFields = (node.fields ??= readHeader(lp).masterFields);
      if (masterFields.length === numfields) {
        let i = 0;
        while (i < numfields && masterFields[i] === fv[2 * i]) i++;
        if (i === numfields) flags |= FLAG_SAMEFIELDS;
      }
    }
    const lp = node.lp;
    lp.appendInt(flags);
    lp.appendInt(signed64(newId.ms - node.master.ms));
    lp.appendInt(signed64(newId.seq - node.master.seq));
    const same = (flags & FLAG_SAMEFIELDS) !== 0;
    if (!same) lp.appendInt(numfields);
    for (let i = 0; i < numfields; i++) {
      if (!same) lp.appendString(fv[2 * i]!);
      lp.appendString(fv[2 * i + 1]!);
    }
    lp.appendInt(numfields + 3 + (same ? 0 : numfields + 1));

    this.length++;
    this.entriesAdded++;
    this.lastId = newId;
    if (this.length === 1) this.firstId = newId;
    return newId;
  }

  /** The live and deleted counts of a node's master entry. */
  private counts(node: StreamNode): { live: number; deleted: number } {
    const lp = node.lp;
    const p = lp.first();
    return { live: Number(lp.getInt(p)), deleted: Number(lp.getInt(lp.next(p))) };
  }

  // ---- reading ----------------------------------------------------------------------------------

  /**
   * Visits entries with start <= ID <= end in order (reversed when `rev`), deleted ones skipped
   * unless `tombstones`; stops when `visit` returns false. `fields` false skips reading values.
   */
  range(start: StreamID, end: StreamID, rev: boolean, visit: (e: StreamEntry) => boolean, fields = true, tombstones = false): void {
    if (this.nodes.length === 0 || cmpId(start, end) > 0) return;
    if (!rev) {
      for (let n = this.seekNode(start); n < this.nodes.length; n++) {
        const node = this.nodes[n]!;
        if (cmpId(node.master, end) > 0) return;
        const h = readHeader(node.lp);
        for (let p = h.firstEntry; p >= 0; ) {
          const fv: string[] | undefined = fields ? [] : undefined;
          const e = readEntry(node.lp, p, node.master, h, fv);
          p = e.next;
          if (cmpId(e.id, start) < 0) continue;
          if (cmpId(e.id, end) > 0) return;
          if (e.deleted && !tombstones) continue;
          if (!visit({ id: e.id, fv: fv ?? [] })) return;
        }
      }
      return;
    }
    for (let n = this.seekNode(end); n >= 0; n--) {
      const node = this.nodes[n]!;
      const h = readHeader(node.lp);
      const found: Located[] = [];
      for (let p = h.firstEntry; p >= 0; ) {
        const e = readEntry(node.lp, p, node.master, h, undefined);
        found.push({ id: e.id, at: p, deleted: e.deleted });
        p = e.next;
      }
      for (let i = found.length - 1; i >= 0; i--) {
        const f = found[i]!;
        if (cmpId(f.id, end) > 0) continue;
        if (cmpId(f.id, start) < 0) return;
        if (f.deleted && !tombstones) continue;
        const fv: string[] = [];
        if (fields) readEntry(node.lp, f.at, node.master, h, fv);
        if (!visit({ id: f.id, fv })) return;
      }
    }
  }

  /** The entries between two IDs, at most `count` (0: all). */
  entries(start: StreamID, end: StreamID, rev: boolean, count: number): StreamEntry[] {
    const out: StreamEntry[] = [];
    this.range(start, end, rev, (e) => {
      out.push(e);
      return count === 0 || out.length < count;
    });
    return out;
  }

  /** The entry with this exact ID, if it is live. */
  get(id: StreamID): StreamEntry | undefined {
    let found: StreamEntry | undefined;
    this.range(id, id, false, (e) => {
      found = e;
      return false;
    });
    return found;
  }

  /** streamGetEdgeID: first or last entry ID; 0-0 / max when there is none (as Redis answers). */
  edgeId(first: boolean, skipTombstones = true): StreamID {
    let found: StreamID | undefined;
    this.range(ID_ZERO, ID_MAX, !first, (e) => {
      found = e.id;
      return false;
    }, false, !skipTombstones);
    return found ?? (first ? ID_MAX : ID_ZERO);
  }

  /** streamLastValidID: the last live entry's ID (0-0 for an empty stream). */
  lastValidId(): StreamID {
    return this.length === 0 ? ID_ZERO : this.edgeId(false);
  }

  // ---- deleting ---------------------------------------------------------------------------------

  /** Marks the live entry `id` deleted (streamDeleteItem); false when there is none. */
  delete(id: StreamID): boolean {
    if (this.nodes.length === 0) return false;
    const n = this.seekNode(id);
    const node = this.nodes[n]!;
    const lp = node.lp;
    const h = readHeader(lp);
    for (let p = h.firstEntry; p >= 0; ) {
      const e = readEntry(lp, p, node.master, h, undefined);
      const c = cmpId(e.id, id);
      if (c > 0) return false;
      if (c === 0) {
        if (e.deleted) return false;
        this.markDeleted(n, p);
        return true;
      }
      p = e.next;
    }
    return false;
  }

  /** streamIteratorRemoveEntry: flags the entry at `at`, moves the counts; drops an emptied node. */
  private markDeleted(n: number, at: number): void {
    const node = this.nodes[n]!;
    const lp = node.lp;
    const flags = Number(lp.getInt(at));
    lp.replaceInt(at, flags | FLAG_DELETED);
    const p = lp.first();
    const live = Number(lp.getInt(p));
    if (live === 1) this.nodes.splice(n, 1);
    else {
      lp.replaceInt(p, live - 1);
      const q = lp.next(p);
      lp.replaceInt(q, Number(lp.getInt(q)) + 1);
    }
    this.length--;
  }

  /** The last entry ID a node holds, deleted or not (lpGetEdgeStreamID). */
  private nodeLastId(node: StreamNode): StreamID {
    const h = readHeader(node.lp);
    let last = node.master;
    for (let p = h.firstEntry; p >= 0; ) {
      const e = readEntry(node.lp, p, node.master, h, undefined);
      last = e.id;
      p = e.next;
    }
    return last;
  }

  /** streamTrim: removes entries from the head; returns how many. */
  trim(a: TrimArgs): number {
    let deleted = 0;
    while (this.nodes.length) {
      if (a.strategy === 'maxlen' && this.length <= a.maxlen) break;
      const node = this.nodes[0]!;
      const lp = node.lp;
      const h = readHeader(lp);
      const entries = h.live;
      if (a.limit && deleted + entries > a.limit) break;
      const removeNode = a.strategy === 'maxlen' ? this.length - entries >= a.maxlen : cmpId(this.nodeLastId(node), a.minid) < 0;
      if (removeNode) {
        this.nodes.shift();
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (a.approx) break;
      let fromNode = 0;
      for (let p = h.firstEntry; p >= 0; ) {
        const e = readEntry(lp, p, node.master, h, undefined);
        const stop = a.strategy === 'maxlen' ? this.length <= a.maxlen : cmpId(e.id, a.minid) >= 0;
        if (stop) break;
        let next = e.next;
        if (!e.deleted) {
          const flags = Number(lp.getInt(p));
          next += lp.replaceInt(p, flags | FLAG_DELETED);
          fromNode++;
          this.length--;
        }
        p = next;
      }
      deleted += fromNode;
      const p = lp.first();
      lp.replaceInt(p, entries - fromNode);
      const q = lp.next(p);
      lp.replaceInt(q, h.deleted + fromNode);
      break;
    }
    if (this.length === 0) this.firstId = ID_ZERO;
    else if (deleted) this.firstId = this.edgeId(true);
    return deleted;
  }

  // ---- the rest ---------------------------------------------------------------------------------

  clone(): RedisStream {
    const s = new RedisStream();
    s.nodes = this.nodes.map((n) => ({ master: n.master, lp: n.lp.clone() }));
    s.length = this.length;
    s.lastId = this.lastId;
    s.firstId = this.firstId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    if (this.groups) {
      s.groups = new Map();
      for (const [name, g] of this.groups) s.groups.set(name, g.clone());
    }
    return s;
  }

  /** Bytes the nodes take (listpack allocations), for MEMORY USAGE. */
  nodeBytes(): number {
    let n = 0;
    for (const node of this.nodes) n += node.lp.allocated;
    return n;
  }

  encoding(): string {
    return 'stream';
  }
}

/** A uint64 difference as the int64 Redis stores in the listpack. */
function signed64(v: bigint): LpInt {
  const s = BigInt.asIntN(64, v);
  return s >= -9007199254740991n && s <= 9007199254740991n ? Number(s) : s;
}
