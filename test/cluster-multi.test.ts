// Several respd nodes as one cluster, the map static in each node's nodes.conf (no cluster bus):
// CLUSTER INFO/NODES/SLOTS/SHARDS over the whole map, -MOVED, -ASK, -TRYAGAIN and -CLUSTERDOWN
// byte for byte as Redis words them, ASKING, transactions and scripts, a slot resharded the way
// `redis-cli --cluster reshard` drives it, and ioredis / node-redis cluster clients across nodes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { keyHashSlot } from '../src/cluster/crc16.js';
import { createServer, type ServerHandle } from '../src/index.js';
import { RawClient, bulk, bulkText, freePorts, int, NIL, OK, parseBulks, resp, startServer, untilBlocked, tempDirs } from './helpers.js';

const IDS = ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40)];
const SHARDS = ['1'.repeat(40), '2'.repeat(40), '3'.repeat(40)];
const RANGES: [number, number][] = [[0, 5460], [5461, 10922], [10923, 16383]];

const tempDir = tempDirs('multi');

/** The nodes.conf of node `me`: all three nodes, each serving its range, `me` flagged myself. */
function nodesConf(ports: number[], me: number): string {
  const lines = IDS.map((id, i) => {
    const flags = i === me ? 'myself,master' : 'master';
    return `${id} 127.0.0.1:${ports[i]}@${ports[i]! + 10000},,tls-port=0,shard-id=${SHARDS[i]} ${flags} - 0 0 ${i + 1} connected ${RANGES[i]![0]}-${RANGES[i]![1]}`;
  });
  return lines.join('\n') + '\nvars currentEpoch 3 lastVoteEpoch 0\n';
}

interface Trio {
  ports: number[];
  dirs: string[];
  servers: ServerHandle[];
  clients: RawClient[];
}

/** Three nodes on ports free now, each started from its own nodes.conf listing all three. */
async function startTrio(): Promise<Trio> {
  const ports = await freePorts(3);
  const ds: string[] = [];
  const servers: ServerHandle[] = [];
  for (let i = 0; i < 3; i++) {
    const dir = tempDir();
    writeFileSync(join(dir, 'nodes.conf'), nodesConf(ports, i));
    ds.push(dir);
    servers.push(await startServer({ port: ports[i], 'cluster-enabled': 'yes', dir }));
  }
  const clients = await Promise.all(ports.map((p) => RawClient.connect(p)));
  afterAll(() => {
    for (const c of clients) c.close();
  });
  return { ports, dirs: ds, servers, clients };
}

/** The node (0..2) serving `slot` in the initial map. */
function ownerOf(slot: number): number {
  return RANGES.findIndex(([s, e]) => slot >= s && slot <= e);
}

/** A key `prefix<n>` whose slot node `node` serves. */
function keyOn(node: number, prefix = 'k'): string {
  for (let n = 0; ; n++) if (ownerOf(keyHashSlot(`${prefix}${n}`)) === node) return `${prefix}${n}`;
}

const moved = (slot: number, port: number) => `-MOVED ${slot} 127.0.0.1:${port}\r\n`;
const ask = (slot: number, port: number) => `-ASK ${slot} 127.0.0.1:${port}\r\n`;
const TRYAGAIN = '-TRYAGAIN Multiple keys request during rehashing of slot\r\n';

describe('a static cluster of three nodes', async () => {
  const { ports, dirs: nodeDirs, clients: [a, b, c] } = await startTrio();

  it('shows the whole map in CLUSTER INFO, NODES, SLOTS and SHARDS', async () => {
    for (const [i, cl] of [a!, b!, c!].entries()) {
      expect(bulkText(await cl.call('CLUSTER', 'INFO'))).toMatch(
        new RegExp('^cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\ncluster_slots_pfail:0\r\ncluster_slots_fail:0\r\n' +
          `cluster_known_nodes:3\r\ncluster_size:3\r\ncluster_current_epoch:3\r\ncluster_my_epoch:${i + 1}\r\n`),
      );
      const lines = IDS.map((id, j) => `${id} 127.0.0.1:${ports[j]}@${ports[j]! + 10000} ${j === i ? 'myself,' : ''}master - 0 0 ${j + 1} connected ${RANGES[j]![0]}-${RANGES[j]![1]}\n`);
      expect(await cl.call('CLUSTER', 'NODES')).toBe(bulk(lines.join('')));
      const entry = (j: number) => `*3\r\n:${RANGES[j]![0]}\r\n:${RANGES[j]![1]}\r\n*4\r\n${bulk('127.0.0.1')}:${ports[j]}\r\n${bulk(IDS[j]!)}*0\r\n`;
      expect(await cl.call('CLUSTER', 'SLOTS')).toBe(`*3\r\n${entry(0)}${entry(1)}${entry(2)}`);
      const shards = await cl.call('CLUSTER', 'SHARDS');
      for (let j = 0; j < 3; j++) {
        expect(shards).toContain(`$5\r\nslots\r\n*2\r\n:${RANGES[j]![0]}\r\n:${RANGES[j]![1]}\r\n$5\r\nnodes\r\n*1\r\n*14\r\n$2\r\nid\r\n${bulk(IDS[j]!)}$4\r\nport\r\n:${ports[j]}\r\n`);
      }
      expect(await cl.call('CLUSTER', 'MYID')).toBe(bulk(IDS[i]!));
    }
  });

  it('redirects a key another node serves with -MOVED, keyless commands run anywhere', async () => {
    const slot = keyHashSlot('foo');
    expect(ownerOf(slot)).toBe(2);
    expect(await a!.call('GET', 'foo')).toBe(moved(slot, ports[2]!));
    expect(await b!.call('SET', '{foo}x', '1')).toBe(moved(slot, ports[2]!));
    expect(await c!.call('SET', 'foo', 'bar')).toBe(OK);
    expect(await c!.call('GET', 'foo')).toBe(bulk('bar'));
    const mine = keyOn(0);
    expect(await a!.call('SET', mine, 'v')).toBe(OK);
    expect(await a!.call('MSET', mine, '1', 'foo', '2')).toBe("-CROSSSLOT Keys in request don't hash to the same slot\r\n");
    for (const cl of [a!, b!, c!]) expect(await cl.call('PING')).toBe('+PONG\r\n');
    expect(await b!.call('DBSIZE')).toBe(int(0));
    expect(await a!.call('INFO', 'errorstats')).toContain('errorstat_MOVED:count=1\r\n');
  });

  it('refuses EXEC after a queued command was redirected, and EXEC whose slot moved since', async () => {
    const slot = keyHashSlot('foo');
    expect(await a!.call('MULTI')).toBe(OK);
    expect(await a!.call('SET', 'foo', '1')).toBe(moved(slot, ports[2]!));
    expect(await a!.call('EXEC')).toBe('-EXECABORT Transaction discarded because of previous errors.\r\n');
    // A slot of A with no key: handed to B while a transaction on it is queued.
    const key = keyOn(0, 'empty');
    const s = keyHashSlot(key);
    const t = await RawClient.connect(ports[0]!);
    expect(await t.call('MULTI')).toBe(OK);
    expect(await t.call('GET', key)).toBe('+QUEUED\r\n');
    expect(await a!.call('CLUSTER', 'SETSLOT', String(s), 'NODE', IDS[1]!)).toBe(OK);
    expect(await t.call('EXEC')).toBe(moved(s, ports[1]!));
    expect(await t.call('EXEC')).toBe('-ERR EXEC without MULTI\r\n');
    expect(await a!.call('CLUSTER', 'SETSLOT', String(s), 'NODE', IDS[0]!)).toBe(OK);
    expect(await t.call('GET', key)).toBe(NIL);
    t.close();
  });

  it('redirects scripts by their declared keys and refuses their undeclared non-local ones', async () => {
    const slot = keyHashSlot('foo');
    expect(await a!.call('EVAL', "return redis.call('get', KEYS[1])", '1', 'foo')).toBe(moved(slot, ports[2]!));
    expect(await a!.call('EVAL', "return redis.call('get', 'foo')", '0')).toMatch(/^-ERR Script attempted to access a non local key in a cluster node script: /);
    expect(await c!.call('EVAL', "return redis.call('get', 'foo')", '0')).toBe(bulk('bar'));
  });

  it('answers -CLUSTERDOWN for an unassigned slot, and for every key while coverage is required', async () => {
    const key = keyOn(2, 'down');
    const s = keyHashSlot(key);
    expect(await c!.call('CLUSTER', 'DELSLOTS', String(s))).toBe(OK);
    expect(await c!.call('CLUSTER', 'DELSLOTS', String(s))).toBe(`-ERR Slot ${s} is already unassigned\r\n`);
    expect(await c!.call('GET', key)).toBe('-CLUSTERDOWN Hash slot not served\r\n');
    expect(await c!.call('GET', 'foo')).toBe('-CLUSTERDOWN The cluster is down\r\n');
    expect(await c!.call('PING')).toBe('+PONG\r\n');
    expect(await c!.call('CLUSTER', 'INFO')).toContain('cluster_state:fail\r\ncluster_slots_assigned:16383\r\n');
    expect(await c!.call('CONFIG', 'SET', 'cluster-allow-reads-when-down', 'yes')).toBe(OK);
    expect(await c!.call('GET', 'foo')).toBe(bulk('bar'));
    expect(await c!.call('SET', 'foo', 'x')).toBe('-CLUSTERDOWN The cluster is down and only accepts read commands\r\n');
    expect(await c!.call('CONFIG', 'SET', 'cluster-allow-reads-when-down', 'no', 'cluster-require-full-coverage', 'no')).toBe(OK);
    expect(await c!.call('GET', 'foo')).toBe(bulk('bar'));
    expect(await c!.call('CONFIG', 'SET', 'cluster-require-full-coverage', 'yes')).toBe(OK);
    expect(await c!.call('CLUSTER', 'ADDSLOTSRANGE', String(s), String(s))).toBe(OK);
    expect(await c!.call('CLUSTER', 'ADDSLOTS', String(s))).toBe(`-ERR Slot ${s} is already busy\r\n`);
    expect(await c!.call('GET', 'foo')).toBe(bulk('bar'));
    expect(await c!.call('CLUSTER', 'INFO')).toContain('cluster_state:ok\r\n');
  });

  it('unblocks a client waiting on a slot given away (-MOVED) or unassigned (-CLUSTERDOWN)', async () => {
    const key = keyOn(0, 'blocked');
    const s = keyHashSlot(key);
    const w = await RawClient.connect(ports[0]!);
    // The replies are awaited only once the slot changed (a call's wait starts when it is sent).
    let start = w.received.length;
    w.write(resp('BLPOP', key, '0'));
    await untilBlocked(a!, 1);
    expect(await a!.call('CLUSTER', 'SETSLOT', String(s), 'NODE', IDS[1]!)).toBe(OK);
    expect(await w.replyAt(start)).toBe(moved(s, ports[1]!));
    expect(await a!.call('CLUSTER', 'SETSLOT', String(s), 'NODE', IDS[0]!)).toBe(OK);
    start = w.received.length;
    w.write(resp('BLPOP', key, '0'));
    await untilBlocked(a!, 1);
    expect(await a!.call('CLUSTER', 'DELSLOTS', String(s))).toBe(OK);
    expect(await w.replyAt(start)).toBe('-CLUSTERDOWN The cluster is down\r\n');
    expect(await a!.call('CLUSTER', 'ADDSLOTS', String(s))).toBe(OK);
    expect(await a!.call('INFO', 'clients')).toContain('blocked_clients:0\r\n');
    w.close();
  });

  it('moves a slot as redis-cli --cluster reshard does: IMPORTING, MIGRATING, ASK, ASKING, TRYAGAIN, MIGRATE, SETSLOT NODE', async () => {
    const tag = keyOn(0, 'tag');
    const k1 = `{${tag}}a`;
    const k2 = `{${tag}}b`;
    const s = keyHashSlot(k1);
    const slot = String(s);
    expect(await a!.call('SET', k1, '1')).toBe(OK);
    // Refusals first, with Redis's texts.
    expect(await b!.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', IDS[0]!)).toBe(`-ERR I'm not the owner of hash slot ${s}\r\n`);
    expect(await a!.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', IDS[1]!)).toBe(`-ERR I'm already the owner of hash slot ${s}\r\n`);
    expect(await a!.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', 'd'.repeat(40))).toBe(`-ERR I don't know about node ${'d'.repeat(40)}\r\n`);
    expect(await a!.call('CLUSTER', 'SETSLOT', slot, 'NODE', IDS[1]!)).toBe(`-ERR Can't assign hashslot ${s} to a different node while I still hold keys for this hash slot.\r\n`);

    expect(await b!.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', IDS[0]!)).toBe(OK);
    expect(await a!.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', IDS[1]!)).toBe(OK);
    expect(bulkText(await a!.call('CLUSTER', 'NODES'))).toContain(`myself,master - 0 0 1 connected 0-5460 [${s}->-${IDS[1]}]\n`);
    expect(bulkText(await b!.call('CLUSTER', 'NODES'))).toContain(`myself,master - 0 0 2 connected 5461-10922 [${s}-<-${IDS[0]}]\n`);

    // The source serves what it still has, sends the rest on with -ASK, a mix gets -TRYAGAIN.
    expect(await a!.call('GET', k1)).toBe(bulk('1'));
    expect(await a!.call('GET', k2)).toBe(ask(s, ports[1]!));
    expect(await a!.call('MGET', k1, k2)).toBe(TRYAGAIN);
    // The target serves the slot only to a client that asked, for the next command alone.
    expect(await b!.call('GET', k2)).toBe(moved(s, ports[0]!));
    expect(await b!.call('ASKING')).toBe(OK);
    expect(await b!.call('GET', k2)).toBe(NIL);
    expect(await b!.call('GET', k2)).toBe(moved(s, ports[0]!));
    expect(await b!.call('ASKING')).toBe(OK);
    expect(await b!.call('MGET', k1, k2)).toBe(TRYAGAIN);
    // The flag lasts through a transaction started right after it.
    expect(await b!.call('ASKING')).toBe(OK);
    expect(await b!.call('MULTI')).toBe(OK);
    expect(await b!.call('GET', k2)).toBe('+QUEUED\r\n');
    expect(await b!.call('EXEC')).toBe(`*1\r\n${NIL}`);
    expect(await b!.call('GET', k2)).toBe(moved(s, ports[0]!));
    expect(await b!.call('ASKING')).toBe(OK);
    expect(await b!.call('SET', k2, '2')).toBe(OK);

    // The keys move (RESTORE-ASKING on the target needs no ASKING), then the slot is handed over everywhere.
    expect(await a!.call('CLUSTER', 'GETKEYSINSLOT', slot, '10')).toBe(`*1\r\n${bulk(k1)}`);
    expect(await a!.call('MIGRATE', '127.0.0.1', String(ports[1]), '', '0', '5000', 'KEYS', k1)).toBe(OK);
    expect(await a!.call('GET', k1)).toBe(ask(s, ports[1]!));
    expect(await a!.call('CLUSTER', 'COUNTKEYSINSLOT', slot)).toBe(int(0));
    expect(await b!.call('CLUSTER', 'COUNTKEYSINSLOT', slot)).toBe(int(2));
    expect(await b!.call('CLUSTER', 'SETSLOT', slot, 'NODE', IDS[1]!)).toBe(OK);
    expect(await a!.call('CLUSTER', 'SETSLOT', slot, 'NODE', IDS[1]!)).toBe(OK);
    expect(await a!.call('GET', k1)).toBe(moved(s, ports[1]!));
    expect(await b!.call('MGET', k1, k2)).toBe(`*2\r\n${bulk('1')}${bulk('2')}`);
    // A node not told yet sends clients to the old owner, which sends them on.
    expect(await c!.call('GET', k1)).toBe(moved(s, ports[0]!));
    expect(await c!.call('CLUSTER', 'SETSLOT', slot, 'NODE', IDS[1]!)).toBe(OK);
    expect(await c!.call('GET', k1)).toBe(moved(s, ports[1]!));

    // Closing the import bumped the target's epoch; each node's nodes.conf has the new map.
    expect(await b!.call('CLUSTER', 'INFO')).toContain('cluster_current_epoch:4\r\ncluster_my_epoch:4\r\n');
    const before = s === 0 ? '' : s === 1 ? ' 0' : ` 0-${s - 1}`;
    const after = s === 5460 ? '' : s === 5459 ? ' 5460' : ` ${s + 1}-5460`;
    const conf = readFileSync(join(nodeDirs[1]!, 'nodes.conf'), 'latin1');
    expect(conf).toContain(`${IDS[1]} 127.0.0.1:${ports[1]}@${ports[1]! + 10000},,tls-port=0,shard-id=${SHARDS[1]} myself,master - 0 0 4 connected ${s} 5461-10922\n`);
    expect(conf).toContain(`${IDS[0]} 127.0.0.1:${ports[0]}@${ports[0]! + 10000},,tls-port=0,shard-id=${SHARDS[0]} master - 0 0 1 connected${before}${after}\n`);
    expect(conf).not.toContain('[');
    expect(conf.endsWith('vars currentEpoch 4 lastVoteEpoch 0\n')).toBe(true);
  });

  it('MIGRATE carries keys written or deleted on the source while they travel (RESTORE-ASKING again, ASKING + DEL)', async () => {
    const tag = keyOn(0, 'travel');
    const [x1, x2] = [`{${tag}}1`, `{${tag}}2`];
    const s = keyHashSlot(x1);
    const slot = String(s);
    expect(await a!.call('MSET', x1, 'old', x2, 'doomed')).toBe(OK);
    expect(await c!.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', IDS[0]!)).toBe(OK);
    expect(await a!.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', IDS[2]!)).toBe(OK);
    // The target holds writes until unpaused, so the keys change on the source meanwhile.
    expect(await c!.call('CLIENT', 'PAUSE', '60000', 'WRITE')).toBe(OK);
    const mover = await RawClient.connect(ports[0]!);
    const start = mover.received.length;
    mover.write(resp('MIGRATE', '127.0.0.1', String(ports[2]), '', '0', '10000', 'KEYS', x1, x2));
    await untilBlocked(a!, 1);
    expect(await a!.call('SET', x1, 'new')).toBe(OK);
    expect(await a!.call('DEL', x2)).toBe(int(1));
    expect(await c!.call('CLIENT', 'UNPAUSE')).toBe(OK);
    expect(await mover.replyAt(start)).toBe(OK);
    mover.close();
    expect(await a!.call('CLUSTER', 'COUNTKEYSINSLOT', slot)).toBe(int(0));
    expect(await c!.call('CLUSTER', 'COUNTKEYSINSLOT', slot)).toBe(int(1));
    expect(await c!.call('ASKING')).toBe(OK);
    expect(await c!.call('GET', x1)).toBe(bulk('new'));
    for (const cl of [c!, a!, b!]) expect(await cl.call('CLUSTER', 'SETSLOT', slot, 'NODE', IDS[2]!)).toBe(OK);
    expect(await c!.call('MGET', x1, x2)).toBe(`*2\r\n${bulk('new')}${NIL}`);
  });

  it('reads its saved map back at the next start', async () => {
    const dir = nodeDirs[1]!;
    const again = await createServer({ 'cluster-enabled': 'yes', dir });
    try {
      const r = await RawClient.connect(again.port);
      const before = bulkText(await b!.call('CLUSTER', 'NODES')).split('\n').filter((l) => !l.includes('myself'));
      const now = bulkText(await r.call('CLUSTER', 'NODES')).split('\n').filter((l) => !l.includes('myself'));
      expect(now).toEqual(before);
      expect(await r.call('CLUSTER', 'MYID')).toBe(bulk(IDS[1]!));
      r.close();
    } finally {
      await again.close();
    }
  });

  it('refuses MEET (no cluster bus) and forgets a node with the slots it served', async () => {
    expect(await a!.call('CLUSTER', 'MEET', '127.0.0.1', '1')).toMatch(/^-ERR CLUSTER MEET is not supported: this node has no cluster bus/);
    expect(await a!.call('CLUSTER', 'FORGET', IDS[0]!)).toBe("-ERR I tried hard but I can't forget myself...\r\n");
    expect(await a!.call('CLUSTER', 'COUNT-FAILURE-REPORTS', IDS[2]!)).toBe(int(0));
    expect(await a!.call('CLUSTER', 'REPLICAS', IDS[2]!)).toBe('*0\r\n');
    expect(await a!.call('CLUSTER', 'FORGET', IDS[2]!)).toBe(OK);
    // C served 10923-16383 and the slot moved to it above.
    expect(await a!.call('CLUSTER', 'INFO')).toContain(`cluster_state:fail\r\ncluster_slots_assigned:${16384 - 5461 - 1}\r\n`);
    expect(await a!.call('CLUSTER', 'FORGET', IDS[2]!)).toBe(`-ERR Unknown node ${IDS[2]}\r\n`);
  });

});

describe('cluster clients over three nodes', async () => {
  const { ports, clients: [a, b, c] } = await startTrio();
  const raw = [a!, b!, c!];

  it('ioredis Cluster: 1000 keys, each on the node serving its slot', async () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: ports[0]! }]);
    try {
      const keys = Array.from({ length: 1000 }, (_, i) => `key:${i}`);
      expect(await Promise.all(keys.map((k) => cluster.set(k, `v-${k}`)))).toEqual(keys.map(() => 'OK'));
      expect(await Promise.all(keys.map((k) => cluster.get(k)))).toEqual(keys.map((k) => `v-${k}`));
      expect(cluster.nodes('master').map((n) => n.options.port).sort()).toEqual([...ports].sort());
      for (let i = 0; i < 3; i++) {
        const mine = keys.filter((k) => ownerOf(keyHashSlot(k)) === i);
        expect(mine.length).toBeGreaterThan(0);
        expect(await raw[i]!.call('DBSIZE')).toBe(int(mine.length));
        let counted = 0;
        for (const slot of new Set(mine.map(keyHashSlot))) counted += Number((await raw[i]!.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot))).slice(1, -2));
        expect(counted).toBe(mine.length);
        // A slot of another node holds nothing here.
        const other = keys.find((k) => ownerOf(keyHashSlot(k)) !== i)!;
        expect(await raw[i]!.call('CLUSTER', 'COUNTKEYSINSLOT', String(keyHashSlot(other)))).toBe(int(0));
      }
    } finally {
      cluster.disconnect();
    }
  });

  it('ioredis Cluster keeps reading and writing a slot while it is migrated: ASK followed, nothing lost', async () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: ports[0]! }]);
    let done = false;
    let writers: Promise<number>[] = [];
    try {
      const tag = keyOn(0, 'mig');
      const s = keyHashSlot(tag);
      const slot = String(s);
      const keys = Array.from({ length: 200 }, (_, i) => `{${tag}}:${i}`);
      const last = keys.map((k) => `0-${k}`);
      await Promise.all(keys.map((k, i) => cluster.set(k, last[i]!)));

      // Two writers going round the slot's keys: each write is read back at once.
      const mismatches: string[] = [];
      const writer = async (offset: number): Promise<number> => {
        let n = 0;
        while (!done) {
          const i = (offset + n * 2) % keys.length;
          const v = `${n}-${offset}`;
          expect(await cluster.set(keys[i]!, v)).toBe('OK');
          last[i] = v;
          const got = await cluster.get(keys[i]!);
          if (got !== v) mismatches.push(`${keys[i]}: wrote ${v}, read ${got}`);
          n++;
        }
        return n;
      };
      writers = [writer(0), writer(1)];

      // The steps of redis-cli --cluster reshard, keys ten at a time.
      expect(await b!.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', IDS[0]!)).toBe(OK);
      expect(await a!.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', IDS[1]!)).toBe(OK);
      let batches = 0;
      for (;;) {
        const batch = await a!.call('CLUSTER', 'GETKEYSINSLOT', slot, '10');
        if (batch === '*0\r\n') {
          if ((await a!.call('CLUSTER', 'SETSLOT', slot, 'NODE', IDS[1]!)) === OK) break;
          continue;
        }
        const moving = parseBulks(batch);
        expect(await a!.call('MIGRATE', '127.0.0.1', String(ports[1]), '', '0', '5000', 'REPLACE', 'KEYS', ...moving)).toBe(OK);
        if (batches++ === 0) {
          // A key already moved while the slot is still open (one a writer changed during the
          // MIGRATE stays for the next batch): ioredis follows the -ASK to it.
          let gone: string | undefined;
          for (const m of moving) if (gone === undefined && (await a!.call('GET', m)) === ask(s, ports[1]!)) gone = m;
          expect(gone).toBeDefined();
          const i = keys.indexOf(gone!);
          expect(await cluster.set(gone!, 'asked')).toBe('OK');
          expect(await cluster.get(gone!)).toBe('asked');
          last[i] = 'asked';
        }
      }
      expect(await b!.call('CLUSTER', 'SETSLOT', slot, 'NODE', IDS[1]!)).toBe(OK);
      expect(await c!.call('CLUSTER', 'SETSLOT', slot, 'NODE', IDS[1]!)).toBe(OK);
      // A few more rounds against the new owner, then the writers stop.
      const moreFrom = await cluster.get(keys[0]!);
      expect(moreFrom).not.toBeNull();
      done = true;
      const rounds = await Promise.all(writers);
      expect(rounds[0]! + rounds[1]!).toBeGreaterThan(0);
      expect(batches).toBeGreaterThanOrEqual(keys.length / 10);
      expect(mismatches).toEqual([]);
      expect(await a!.call('INFO', 'errorstats')).toMatch(/errorstat_ASK:count=\d+/);
      // Every key is on the new owner with the last value written, none left behind.
      expect(await a!.call('CLUSTER', 'COUNTKEYSINSLOT', slot)).toBe(int(0));
      expect(await b!.call('CLUSTER', 'COUNTKEYSINSLOT', slot)).toBe(int(keys.length));
      for (const [i, k] of keys.entries()) expect(await b!.call('GET', k), k).toBe(bulk(last[i]!));
      expect(await Promise.all(keys.map((k) => cluster.get(k)))).toEqual(last);
    } finally {
      done = true;
      await Promise.allSettled(writers);
      cluster.disconnect();
    }
  });

  it('node-redis createCluster', async () => {
    const cluster = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${ports[2]}` }] });
    await cluster.connect();
    try {
      const keys = Array.from({ length: 100 }, (_, i) => `nr:${i}`);
      for (const k of keys) expect(await cluster.set(k, k)).toBe('OK');
      for (const k of keys) expect(await cluster.get(k)).toBe(k);
      expect(cluster.masters.map((m) => m.port).sort()).toEqual([...ports].sort());
      expect(await cluster.mGet(['{nr}a', '{nr}b'])).toEqual([null, null]);
      for (let i = 0; i < 3; i++) {
        const mine = keys.filter((k) => ownerOf(keyHashSlot(k)) === i);
        for (const k of mine) expect(await raw[i]!.call('GET', k)).toBe(bulk(k));
      }
    } finally {
      await cluster.close();
    }
  });
});

describe('a map with replicas, hostnames and open slots in nodes.conf', async () => {
  const dir = tempDir();
  const replica = 'd'.repeat(40);
  writeFileSync(join(dir, 'nodes.conf'), [
    `${IDS[0]} 127.0.0.1:7000@17000,,tls-port=0,shard-id=${SHARDS[0]} myself,master - 0 0 1 connected 0-5460 [5460->-${IDS[1]}] [5461-<-${IDS[1]}]`,
    `${IDS[1]} 10.0.0.2:7001@17001,node-b,tls-port=7101,shard-id=${SHARDS[1]} master - 0 0 2 connected 5461-10922`,
    `${replica} 10.0.0.4:7003@17003 slave ${IDS[1]} 0 0 2 connected`,
    `${IDS[2]} 10.0.0.3:7002 master - 0 0 3 connected 10923-16383`,
    'vars currentEpoch 3 lastVoteEpoch 0',
    '',
  ].join('\n'));
  const server = await startServer({ 'cluster-enabled': 'yes', dir });
  const c = await RawClient.connect(server.port);
  afterAll(() => c.close());

  it('lists every node of the file with its role, address fields and open slots', async () => {
    expect(await c.call('CLUSTER', 'INFO')).toContain('cluster_known_nodes:4\r\ncluster_size:3\r\n');
    expect(bulkText(await c.call('CLUSTER', 'NODES'))).toBe([
      `${IDS[0]} 127.0.0.1:${server.port}@${server.port + 10000} myself,master - 0 0 1 connected 0-5460 [5460->-${IDS[1]}] [5461-<-${IDS[1]}]`,
      `${IDS[1]} 10.0.0.2:7001@17001,node-b master - 0 0 2 connected 5461-10922`,
      `${replica} 10.0.0.4:7003@17003 slave ${IDS[1]} 0 0 2 connected`,
      // No @cport in the file: the client port + 10000, as Redis reads an old file.
      `${IDS[2]} 10.0.0.3:7002@17002 master - 0 0 3 connected 10923-16383`,
      '',
    ].join('\n'));
    expect(await c.call('CLUSTER', 'REPLICAS', IDS[1]!)).toBe(`*1\r\n${bulk(`${replica} 10.0.0.4:7003@17003 slave ${IDS[1]} 0 0 2 connected`)}`);
    expect(await c.call('CLUSTER', 'REPLICAS', replica)).toBe('-ERR The specified node is not a master\r\n');
    // The replica, with no replication offset known, is left out of SLOTS and shown loading in SHARDS.
    const slots = await c.call('CLUSTER', 'SLOTS');
    expect(slots).not.toContain(replica);
    expect(slots).toContain(`*3\r\n:5461\r\n:10922\r\n*4\r\n${bulk('10.0.0.2')}:7001\r\n${bulk(IDS[1]!)}*2\r\n${bulk('hostname')}${bulk('node-b')}`);
    const shards = await c.call('CLUSTER', 'SHARDS');
    expect(shards).toContain(`${bulk('id')}${bulk(replica)}${bulk('port')}:7003\r\n${bulk('ip')}${bulk('10.0.0.4')}${bulk('endpoint')}${bulk('10.0.0.4')}${bulk('role')}${bulk('replica')}${bulk('replication-offset')}:0\r\n${bulk('health')}${bulk('loading')}`);
    expect(shards).toContain(`${bulk('tls-port')}:7101\r\n`);
    expect(await c.call('CLUSTER', 'SETSLOT', '0', 'MIGRATING', replica)).toBe('-ERR Target node is not a master\r\n');
    expect(await c.call('CLUSTER', 'FORGET', replica)).toBe(OK);
    expect(await c.call('CLUSTER', 'INFO')).toContain('cluster_known_nodes:3\r\n');
    expect(readFileSync(join(dir, 'nodes.conf'), 'latin1')).not.toContain(replica);
  });

  it('sends a TLS port to no one but TLS clients, and names a hostname when asked to', async () => {
    const key = 'k'; // slot 7629, node B's
    expect(keyHashSlot(key)).toBe(7629);
    expect(await c.call('GET', key)).toBe('-MOVED 7629 10.0.0.2:7001\r\n');
    expect(await c.call('CONFIG', 'SET', 'cluster-preferred-endpoint-type', 'hostname')).toBe(OK);
    expect(await c.call('GET', key)).toBe('-MOVED 7629 node-b:7001\r\n');
    expect(await c.call('GET', 'foo')).toBe('-MOVED 12182 ?:7002\r\n');
    expect(await c.call('CONFIG', 'SET', 'cluster-preferred-endpoint-type', 'ip')).toBe(OK);
  });
});
