// MEMORY USAGE/STATS/DOCTOR/MALLOC-STATS/PURGE/HELP (object.c memoryCommand). Sizes are what
// Redis's allocator would hold for the same data (data/memory.ts); STATS adds the process figures.
import { Lookup } from '../data/keyspace.js';
import { keyUsage } from '../data/memory.js';
import { CmdFlag as F, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import { replyHelp } from './help.js';

function usage(call: CommandCall): void {
  const { args, reply, server } = call;
  let samples = 5;
  for (let i = 3; i < args.count; i++) {
    if (args.lower(i) === 'samples' && i + 1 < args.count) {
      const n = parseInteger(args.str(i + 1));
      if (n === null || typeof n !== 'number') {
        reply.error(ERR_NOT_INTEGER);
        return;
      }
      if (n < 0) {
        reply.error(ERR_SYNTAX);
        return;
      }
      samples = n;
      i++;
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  const key = args.str(2);
  const v = server.keyspace.dbs[call.client.db]!.lookup(key, call.now, Lookup.NoTouch);
  if (v === undefined) {
    reply.nullBulk();
    return;
  }
  reply.integer(keyUsage(key, v, samples, server.config.int('hash-max-listpack-entries')));
}

function stats(call: CommandCall): void {
  const { reply, server } = call;
  const fields = new Map(server.info(['memory']).split('\r\n').filter((l) => l.includes(':')).map((l) => {
    const at = l.indexOf(':');
    return [l.slice(0, at), l.slice(at + 1)] as const;
  }));
  const num = (k: string) => Number(fields.get(k) ?? 0);
  const used = num('used_memory');
  const startup = num('used_memory_startup');
  const dataset = num('used_memory_dataset');
  const keys = server.keyspace.dbs.reduce((n, db) => n + db.size, 0);
  const dbs = server.keyspace.dbs.filter((db) => db.size > 0);
  const rss = num('used_memory_rss');
  reply.map(27 + dbs.length);
  const int = (k: string, v: number) => {
    reply.bulkStr(k);
    reply.integer(Math.round(v));
  };
  const dbl = (k: string, v: number) => {
    reply.bulkStr(k);
    reply.double(v);
  };
  int('peak.allocated', num('used_memory_peak'));
  int('total.allocated', used);
  int('startup.allocated', startup);
  int('replication.backlog', 0);
  int('clients.slaves', 0);
  int('clients.normal', num('mem_clients_normal'));
  int('cluster.links', 0);
  int('aof.buffer', 0);
  int('lua.caches', 0);
  int('functions.caches', 0);
  int('overhead.total', used - dataset);
  for (const db of dbs) {
    reply.bulkStr(`db.${db.id}`);
    reply.map(2);
    int('overhead.hashtable.main', db.size * 32);
    int('overhead.hashtable.expires', db.volatileCount * 32);
  }
  int('keys.count', keys);
  int('keys.bytes-per-key', keys ? Math.floor((used - startup) / keys) : 0);
  int('dataset.bytes', dataset);
  dbl('dataset.percentage', used - startup > 0 ? (dataset * 100) / (used - startup) : 0);
  dbl('peak.percentage', num('used_memory_peak') ? (used * 100) / num('used_memory_peak') : 0);
  int('allocator.allocated', used);
  int('allocator.active', used);
  int('allocator.resident', rss);
  dbl('allocator-fragmentation.ratio', 1);
  int('allocator-fragmentation.bytes', 0);
  dbl('allocator.rss-ratio', used ? rss / used : 0);
  int('allocator.rss-bytes', rss - used);
  dbl('rss-overhead.ratio', 1);
  int('rss-overhead.bytes', 0);
  dbl('fragmentation', used ? rss / used : 0);
  int('fragmentation.bytes', rss - used);
}

/** getMemoryDoctorReport, for the conditions respd can tell. */
function doctor(call: CommandCall): void {
  const { server } = call;
  const keys = server.keyspace.dbs.reduce((n, db) => n + db.size, 0);
  const info = server.info(['memory']);
  const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0) - Number(/used_memory_startup:(\d+)/.exec(info)?.[1] ?? 0);
  const peak = Number(/used_memory_peak:(\d+)/.exec(info)?.[1] ?? 0) - Number(/used_memory_startup:(\d+)/.exec(info)?.[1] ?? 0);
  let report: string;
  if (used < 1024 * 1024 * 5 || keys === 0) {
    report = 'Hi Sam, this instance is empty or is using very little memory, my issues detector can\'t be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.';
  } else if (peak / used > 1.5) {
    report = 'Sam, I detected a few issues in this Redis instance memory implants:\n\n' +
      ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n' +
      "I'm here to keep you safe, Sam. I want to help you.\n";
  } else {
    report = 'Hi Sam, I can\'t find any memory issue in your instance. I can only account for what occurs on this base.';
  }
  call.reply.verbatim(report);
}

const HELP = [
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
  'HELP',
  '    Print this help.',
];

const TIPS = ['nondeterministic_output'];

export const memoryCommands: CommandDef[] = [
  {
    name: 'memory', arity: -2, flags: 0, acl: ['slow'], group: 'server', since: '4.0.0',
    summary: 'A container for memory diagnostics commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      { name: 'doctor', arity: 2, flags: 0, acl: ['slow'], group: 'server', since: '4.0.0', summary: 'Outputs a memory problems report.', complexity: 'O(1)', tips: [...TIPS, 'request_policy:all_shards', 'response_policy:special'], handler: doctor },
      { name: 'help', arity: 2, flags: F.Loading | F.Stale, acl: ['slow'], group: 'server', since: '4.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: (c) => replyHelp(c, HELP) },
      {
        name: 'malloc-stats', arity: 2, flags: 0, acl: ['slow'], group: 'server', since: '4.0.0', summary: 'Returns the allocator statistics.', complexity: 'Depends on how much memory is allocated, could be slow',
        tips: [...TIPS, 'request_policy:all_shards', 'response_policy:special'], handler: ({ reply }) => reply.verbatim('Stats not supported for the current allocator'),
      },
      {
        name: 'purge', arity: 2, flags: 0, acl: ['slow'], group: 'server', since: '4.0.0', summary: 'Asks the allocator to release memory.', complexity: 'Depends on how much memory is allocated, could be slow',
        tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], handler: ({ reply }) => reply.status('OK'),
      },
      { name: 'stats', arity: 2, flags: 0, acl: ['slow'], group: 'server', since: '4.0.0', summary: 'Returns details about memory usage.', complexity: 'O(1)', tips: [...TIPS, 'request_policy:all_shards', 'response_policy:special'], handler: stats },
      {
        name: 'usage', arity: -3, flags: F.Readonly, acl: ['keyspace', 'read', 'slow'], group: 'server', since: '4.0.0', summary: 'Estimates the memory usage of a key.',
        complexity: 'O(N) where N is the number of samples.', firstKey: 2, lastKey: 2, step: 1, keySpecs: [{ flags: ['RO'], begin: 2, lastKey: 0, step: 1 }], handler: usage,
      },
    ],
  },
];
