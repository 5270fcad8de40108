// used_memory and maxmemory: what the server counts as its memory (the heap an empty server had
// at start, the dataset as Redis's allocator would hold it, the clients' buffers), the INFO
// memory fields, and key eviction when a command finds it over maxmemory.
import type { Config } from '../config/config.js';
import type { Keyspace } from '../data/keyspace.js';
import { DatasetEstimate } from '../data/memory.js';
import { Evictor } from './evict.js';
import type { ServerState } from './state.js';

export class Memory {
  readonly evictor: Evictor;
  /** maxmemory in bytes, 0 = no limit (read on CONFIG SET, checked before every command). */
  maxmemory = 0;
  private readonly dataset: DatasetEstimate;
  /** The heap at start-up: what an empty server weighs in used_memory. */
  private baseline = 0;
  private peak = 0;

  constructor(
    private readonly st: ServerState,
    readonly keyspace: Keyspace,
    readonly config: Config,
    /** A key was evicted (the `evicted` keyspace event). */
    readonly evicted: (db: number, key: string) => void,
    /** Scripts and functions held (INFO's scripting fields). */
    private readonly scripting: () => { scripts: number; scriptBytes: number; functions: number; libraries: number; functionBytes: number },
  ) {
    this.dataset = new DatasetEstimate(keyspace);
    this.evictor = new Evictor(this);
    this.maxmemory = config.int('maxmemory');
    config.onChange((name) => {
      if (name === 'maxmemory') this.maxmemory = config.int('maxmemory');
    });
  }

  /** Server.start: the heap now is what an empty server weighs. */
  takeBaseline(): void {
    const heap = process.memoryUsage();
    this.baseline = heap.heapUsed + heap.external;
  }

  /**
   * used_memory. Unlike the V8 heap it drops as soon as a key goes, which is what maxmemory needs;
   * the dataset part is sampled (DatasetEstimate), `fresh` samples it again now.
   */
  usedMemory(nowMs: number, fresh = false): number {
    const used = this.baseline + this.dataset.bytes(nowMs, fresh) + (this.st.limits?.memClientsNormal ?? 0);
    if (used > this.peak) this.peak = used;
    return used;
  }

  /** performEvictions before a command: true when memory is still over maxmemory. */
  outOfMemory(nowMs: number): boolean {
    if (this.maxmemory === 0) return false;
    return !this.evictor.perform(nowMs);
  }

  private scriptingFields(): [string, string | number][] {
    const s = this.scripting();
    const scripts = s.scriptBytes + s.functionBytes;
    return [
      ['used_memory_lua', 0],
      ['used_memory_vm_eval', 0],
      ['used_memory_lua_human', bytesHuman(0)],
      ['used_memory_scripts_eval', s.scriptBytes],
      ['number_of_cached_scripts', s.scripts],
      ['number_of_functions', s.functions],
      ['number_of_libraries', s.libraries],
      ['used_memory_vm_functions', 0],
      ['used_memory_vm_total', 0],
      ['used_memory_vm_total_human', bytesHuman(0)],
      ['used_memory_functions', s.functionBytes],
      ['used_memory_scripts', scripts],
      ['used_memory_scripts_human', bytesHuman(scripts)],
    ];
  }

  /** INFO memory. */
  infoFields(): [string, string | number][] {
    const now = Date.now();
    const used = this.usedMemory(now, true);
    const mem = process.memoryUsage();
    return [
      ['used_memory', used],
      ['used_memory_human', bytesHuman(used)],
      ['used_memory_rss', mem.rss],
      ['used_memory_rss_human', bytesHuman(mem.rss)],
      ['used_memory_peak', this.peak],
      ['used_memory_peak_human', bytesHuman(this.peak)],
      ['used_memory_startup', this.baseline],
      ['used_memory_dataset', this.dataset.bytes(now)],
      // What V8 holds now (live objects and garbage not yet collected, plus external buffers).
      ['used_memory_vm_heap', mem.heapUsed + mem.external],
      // Scripts compile into V8's heap (counted above): no separate Lua VM weighs anything, so
      // the vm fields are 0 and the scripts fields count the bodies and library code held.
      ...this.scriptingFields(),
      ['maxmemory', this.maxmemory],
      ['maxmemory_human', bytesHuman(this.maxmemory)],
      ['maxmemory_policy', this.config.str('maxmemory-policy')],
      ['mem_clients_slaves', 0],
      ['mem_clients_normal', this.st.limits?.memClientsNormal ?? 0],
      ['mem_allocator', 'libc'],
    ];
  }
}

/** bytesToHuman: B, K, M, G... with two decimals. */
function bytesHuman(n: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n}B` : `${v.toFixed(2)}${units[i]}`;
}
