// Cluster mode (cluster-enabled yes): one node owning all 16384 slots. Hash slots against
// Redis's CRC16 and keyHashSlot, CLUSTER's replies against redis-server's (fixtures recorded by
// scripts/record-cluster-fixtures.mjs and test/scenarios/cluster.txt), nodes.conf kept across
// restarts, CROSSSLOT in requests, transactions and scripts, and real cluster clients.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { describe, expect, it } from 'vitest';
import { CRC16_TABLE, crc16, keyHashSlot } from '../src/cluster/crc16.js';
import type { ClusterNode } from '../src/cluster/node.js';
import { createServer } from '../src/index.js';
// @ts-expect-error plain JavaScript module shared with the recording script
import { clusterMasker, maskReply } from '../scripts/scenario-lib.mjs';
import { RawClient, bulk, bulkText, err, int, replayScenario, startCli, startServer, tempDirs } from './helpers.js';

const tempDir = tempDirs('cluster');

/** The replies scripts/record-cluster-fixtures.mjs recorded under `prefix`, compared with respd's, node id and ports masked. */
async function compareWithFixtures(port: number, node: ClusterNode, prefix: string): Promise<void> {
  const fixtures = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/cluster-replies.json'), 'utf8')) as Record<string, string>;
  const mask = clusterMasker({ id: node.state.myId, port, cport: port + 10000 });
  const r = await RawClient.connect(port);
  for (const proto of ['2', '3']) {
    await r.call('HELLO', proto);
    for (const cmd of [['CLUSTER', 'INFO'], ['CLUSTER', 'SLOTS'], ['CLUSTER', 'SHARDS'], ['CLUSTER', 'NODES'], ['CLUSTER', 'LINKS'], ['INFO', 'cluster']]) {
      const key = `${prefix}RESP${proto} ${cmd.join(' ')}`;
      expect(fixtures[key], key).toBeDefined();
      expect(maskReply(await r.call(...cmd), mask), key).toBe(fixtures[key]);
    }
  }
  r.close();
}

describe('keyHashSlot', () => {
  it('uses the CRC16 table of crc16.c', () => {
    // Entries as crc16.c lists them (first row, a middle one, the last).
    expect([...CRC16_TABLE.slice(0, 8)]).toEqual([0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50a5, 0x60c6, 0x70e7]);
    expect([...CRC16_TABLE.slice(128, 132)]).toEqual([0x9188, 0x81a9, 0xb1ca, 0xa1eb]);
    expect(CRC16_TABLE[255]).toBe(0x1ef0);
    // crc16.c's check value for XMODEM.
    expect(crc16('123456789')).toBe(0x31c3);
  });

  it('hashes only a non-empty {tag}, the first one', () => {
    expect(keyHashSlot('foo')).toBe(12182);
    expect(keyHashSlot('{foo}bar')).toBe(12182);
    expect(keyHashSlot('foo{bar}{zap}')).toBe(keyHashSlot('bar'));
    expect(keyHashSlot('foo{{bar}}zap')).toBe(keyHashSlot('{bar'));
    expect(keyHashSlot('{}foo')).toBe(crc16('{}foo') & 0x3fff);
    expect(keyHashSlot('a{')).toBe(crc16('a{') & 0x3fff);
    expect(keyHashSlot('')).toBe(0);
    // The scenario's "\xff\x00\x01binary", whose \xff goes out as UTF-8.
    expect(keyHashSlot('\xc3\xbf\x00\x01binary')).toBe(16330);
  });
});

describe('cluster mode', async () => {
  const dir = tempDir();
  const server = await startServer({ 'cluster-enabled': 'yes', dir });
  const c = await RawClient.connect(server.port);
  const node = server.server.cluster!;

  it('answers test/scenarios/cluster.txt as redis-server does', () =>
    replayScenario(server.port, 'cluster', {
      // 7.0's texts; 7.2's cluster.c and script.c word them as respd does (checked below).
      'EVAL "#!lua\\nreturn redis.call(\'mset\', \'a\', 1, \'b\', 2)" 0': 'Command in script',
      'EVAL "return redis.call(\'mset\', \'a\', 1, \'b\', 2)" 0': 'Command in script',
      'CLUSTER MEET 127.0.0.1 x': 'Invalid base port',
      'CLUSTER MEET 127.0.0.1 7000 x': 'Invalid bus port',
      // 7.0 kept 16 databases in cluster mode; 7.2 has one, so DB 1 is out of range first.
      'COPY {t}c {t}d DB 1': 'DB index is out of range',
    }), 60000);

  it('words what 7.2 changed as 7.2 does', async () => {
    expect(await c.call('EVAL', "return redis.call('mset', 'a', 1, 'b', 2)", '0')).toMatch(
      /^-ERR Command 'mset' in script attempted to access keys that don't hash to the same slot script: [0-9a-f]{40}, on @user_script:1\.\r\n$/,
    );
    expect(await c.call('CLUSTER', 'MEET', '127.0.0.1', 'x')).toBe(err('Invalid base port specified: x'));
    expect(await c.call('CLUSTER', 'MEET', '127.0.0.1', '7000', 'x')).toBe(err('Invalid bus port specified: x'));
    expect(await c.call('COPY', '{t}a', '{t}b', 'DB', '1')).toBe(err('DB index is out of range'));
    expect(await c.call('CONFIG', 'GET', 'databases')).toBe('*2\r\n$9\r\ndatabases\r\n$1\r\n1\r\n');
  });

  it('answers INFO, SLOTS, SHARDS, NODES and LINKS as redis-server does, in RESP2 and RESP3', () => compareWithFixtures(server.port, node, ''));

  it('names a preferred hostname endpoint as redis-server does', async () => {
    await c.call('CONFIG', 'SET', 'cluster-announce-hostname', 'node-a.example', 'cluster-preferred-endpoint-type', 'hostname');
    await compareWithFixtures(server.port, node, 'hostname ');
    await c.call('CONFIG', 'SET', 'cluster-announce-hostname', '', 'cluster-preferred-endpoint-type', 'ip');
  });

  it('names the address the client connected to while none is announced, and none in nodes.conf', async () => {
    expect(await c.call('CLUSTER', 'NODES')).toBe(bulk(`${node.state.myId} 127.0.0.1:${server.port}@${server.port + 10000} myself,master - 0 0 0 connected 0-16383\n`));
    expect(readFileSync(join(dir, 'nodes.conf'), 'latin1')).toMatch(new RegExp(`^[0-9a-f]{40} :${server.port}@`));
  });

  it('answers MYID and MYSHARDID with 40 hex characters, and INFO server in cluster mode', async () => {
    expect(await c.call('CLUSTER', 'MYID')).toBe(bulk(node.state.myId));
    expect(node.state.myId).toMatch(/^[0-9a-f]{40}$/);
    expect(await c.call('CLUSTER', 'MYSHARDID')).toBe(bulk(node.state.shardId));
    expect(node.state.shardId).toMatch(/^[0-9a-f]{40}$/);
    expect(node.state.shardId).not.toBe(node.state.myId);
    expect(await c.call('INFO', 'server')).toContain('redis_mode:cluster\r\n');
    expect(await c.call('CLUSTER', 'REPLICAS', node.state.myId)).toBe('*0\r\n');
    expect(await c.call('CLUSTER', 'COUNT-FAILURE-REPORTS', node.state.myId)).toBe(int(0));
    expect(await c.call('CLUSTER', 'FORGET', node.state.myId)).toBe(err("I tried hard but I can't forget myself..."));
    expect(await c.call('CLUSTER', 'REPLICATE', node.state.myId)).toBe(err("Can't replicate myself"));
    expect(await c.call('CLUSTER', 'SETSLOT', '7', 'NODE', node.state.myId)).toBe('+OK\r\n');
  });

  it('lists CLUSTER HELP as 7.2 does', async () => {
    const help = await c.call('CLUSTER', 'HELP');
    expect(help.startsWith('*58\r\n+CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ADDSLOTS <slot> [<slot> ...]\r\n')).toBe(true);
    expect(help).toContain('+MYSHARDID\r\n+    Return the node\'s shard id.\r\n');
    expect(help.endsWith('+HELP\r\n+    Print this help.\r\n')).toBe(true);
  });

  it('keeps keys by slot through writes, expiry, renames and flushes', async () => {
    const slot = keyHashSlot('k');
    await c.call('FLUSHALL');
    await c.call('SET', '{k}1', 'a');
    await c.call('LPUSH', '{k}2', 'x');
    await c.call('SET', '{k}3', 'b', 'PX', '1');
    expect(await c.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot))).toBe(int(3));
    await new Promise((r) => setTimeout(r, 5));
    expect(await c.call('GET', '{k}3')).toBe('$-1\r\n');
    expect(await c.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot))).toBe(int(2));
    await c.call('RPOP', '{k}2');
    expect(await c.call('CLUSTER', 'GETKEYSINSLOT', String(slot), '5')).toBe(`*1\r\n${bulk('{k}1')}`);
    await c.call('RENAME', '{k}1', 'k');
    expect(await c.call('CLUSTER', 'GETKEYSINSLOT', String(slot), '5')).toBe(`*1\r\n${bulk('k')}`);
    await c.call('FLUSHDB');
    expect(await c.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot))).toBe(int(0));
    await c.call('DEBUG', 'POPULATE', '100', 'key');
    let total = 0;
    for (let s = 0; s < 16384; s++) total += node.index.count(s);
    expect(total).toBe(100);
    expect(await c.call('CLUSTER', 'COUNTKEYSINSLOT', String(keyHashSlot('key:7')))).toBe(int(node.index.count(keyHashSlot('key:7'))));
    await c.call('DEBUG', 'RELOAD');
    total = 0;
    for (let s = 0; s < 16384; s++) total += node.index.count(s);
    expect(total).toBe(100);
    await c.call('FLUSHALL');
  });

  it('checks keys of scripts against the declared ones, and allows other slots with allow-cross-slot-keys', async () => {
    await c.call('FUNCTION', 'LOAD', 'REPLACE', [
      '#!lua name=cl',
      "redis.register_function('strict', function(keys) redis.call('set', keys[1], 1) return redis.call('set', 'other', 1) end)",
      "redis.register_function{function_name='loose', callback=function(keys) redis.call('set', keys[1], 1) return redis.call('set', 'other', 1) end, flags={'allow-cross-slot-keys'}}",
      "redis.register_function{function_name='nocl', callback=function() return 1 end, flags={'no-cluster'}}",
    ].join('\n'));
    expect(await c.call('FCALL', 'strict', '1', 'a')).toMatch(/^-ERR Script attempted to access keys that do not hash to the same slot script: strict, on @user_function:2\.\r\n$/);
    expect(await c.call('FCALL', 'loose', '1', 'a')).toBe('+OK\r\n');
    expect(await c.call('FCALL', 'nocl', '0')).toBe(err("Can not run script on cluster, 'no-cluster' flag is set."));
    expect(await c.call('FCALL', 'strict', '2', 'a', 'b')).toBe("-CROSSSLOT Keys in request don't hash to the same slot\r\n");
    await c.call('FUNCTION', 'FLUSH');
    await c.call('FLUSHALL');
  });

  it('discards the transaction EXEC refuses, and counts CROSSSLOT as a rejected call', async () => {
    const t = await RawClient.connect(server.port);
    await t.call('CONFIG', 'RESETSTAT');
    await t.call('MULTI');
    await t.call('SET', 'a', '1');
    await t.call('SET', 'b', '1');
    expect(await t.call('EXEC')).toBe("-CROSSSLOT Keys in request don't hash to the same slot\r\n");
    // Discarded: a second EXEC has no transaction (and is the call that failed).
    expect(await t.call('EXEC')).toBe(err('EXEC without MULTI'));
    expect(await t.call('EXISTS', 'a')).toBe(int(0));
    const stats = await t.call('INFO', 'commandstats');
    expect(stats).toMatch(/cmdstat_exec:calls=1,usec=\d+,usec_per_call=[\d.]+,rejected_calls=1,failed_calls=1\r\n/);
    expect(await t.call('INFO', 'errorstats')).toContain('errorstat_CROSSSLOT:count=1\r\n');
    t.close();
  });

  it('marks a READONLY client with r in CLIENT LIST, READWRITE clears it', async () => {
    const r = await RawClient.connect(server.port);
    await r.call('READONLY');
    expect(await r.call('CLIENT', 'INFO')).toMatch(/ flags=r /);
    await r.call('READWRITE');
    expect(await r.call('CLIENT', 'INFO')).toMatch(/ flags=N /);
    r.close();
  });

  it('saves nodes.conf as 7.2 writes it, epochs included', async () => {
    expect(await c.call('CLUSTER', 'BUMPEPOCH')).toBe('+BUMPED 1\r\n');
    expect(await c.call('CLUSTER', 'BUMPEPOCH')).toBe('+STILL 1\r\n');
    expect(await c.call('CLUSTER', 'SET-CONFIG-EPOCH', '5')).toBe(err('Node config epoch is already non-zero'));
    expect(await c.call('CLUSTER', 'SAVECONFIG')).toBe('+OK\r\n');
    const { myId, shardId } = node.state;
    expect(readFileSync(join(dir, 'nodes.conf'), 'latin1')).toBe(
      `${myId} :${server.port}@${server.port + 10000},,tls-port=0,shard-id=${shardId} myself,master - 0 0 1 connected 0-16383\n` +
        'vars currentEpoch 1 lastVoteEpoch 0\n',
    );
  });
});

describe('cluster mode over TLS', async () => {
  const tlsFile = (name: string) => join(import.meta.dirname, 'fixtures', 'tls', name);
  const server = await startServer({
    'cluster-enabled': 'yes', dir: tempDir(), tls: true,
    'tls-cert-file': tlsFile('server.crt'), 'tls-key-file': tlsFile('server.key'), 'tls-ca-cert-file': tlsFile('ca.crt'),
  });

  it('tells TLS clients the TLS port and others the TCP port (shouldReturnTlsInfo), SHARDS both', async () => {
    const pem = (name: string) => readFileSync(tlsFile(name));
    const t = await RawClient.connectTls(server.tlsPort, { ca: pem('ca.crt'), cert: pem('client.crt'), key: pem('client.key'), servername: 'localhost' });
    const c = await RawClient.connect(server.port);
    const id = server.server.cluster!.state.myId;
    const slots = (port: number) => `*1\r\n*3\r\n:0\r\n:16383\r\n*4\r\n${bulk('127.0.0.1')}:${port}\r\n${bulk(id)}*0\r\n`;
    expect(await t.call('CLUSTER', 'SLOTS')).toBe(slots(server.tlsPort));
    expect(await c.call('CLUSTER', 'SLOTS')).toBe(slots(server.port));
    const line = (port: number) => bulk(`${id} 127.0.0.1:${port}@${server.port + 10000} myself,master - 0 0 0 connected 0-16383\n`);
    expect(await t.call('CLUSTER', 'NODES')).toBe(line(server.tlsPort));
    expect(await c.call('CLUSTER', 'NODES')).toBe(line(server.port));
    expect(await c.call('CLUSTER', 'SHARDS')).toContain(`$4\r\nport\r\n:${server.port}\r\n$8\r\ntls-port\r\n:${server.tlsPort}\r\n`);
    // A script's client has no address: the node's stays unknown.
    expect(await c.call('EVAL', "return redis.call('cluster', 'slots')[1][3][1]", '0')).toBe(bulk(''));
    t.close();
    c.close();
  });
});

describe('nodes.conf across restarts', () => {
  it('keeps the node id, shard id and epochs', async () => {
    const dir = tempDir();
    const a = await createServer({ 'cluster-enabled': 'yes', dir, 'cluster-config-file': 'n1.conf' });
    const c = await RawClient.connect(a.port);
    expect(await c.call('CLUSTER', 'SET-CONFIG-EPOCH', '7')).toBe('+OK\r\n');
    const id = a.server.cluster!.state.myId;
    const shard = a.server.cluster!.state.shardId;
    c.close();
    await a.close();
    const b = await createServer({ 'cluster-enabled': 'yes', dir, 'cluster-config-file': 'n1.conf' });
    const d = await RawClient.connect(b.port);
    expect(await d.call('CLUSTER', 'MYID')).toBe(bulk(id));
    expect(await d.call('CLUSTER', 'MYSHARDID')).toBe(bulk(shard));
    const info = await d.call('CLUSTER', 'INFO');
    expect(info).toContain('cluster_current_epoch:7\r\ncluster_my_epoch:7\r\n');
    expect(await d.call('CLUSTER', 'NODES')).toBe(bulk(`${id} 127.0.0.1:${b.port}@${b.port + 10000} myself,master - 0 0 7 connected 0-16383\n`));
    // CLUSTER RESET HARD on an empty node: a new name, epochs back to 0.
    expect(await d.call('CLUSTER', 'RESET', 'HARD')).toBe('+OK\r\n');
    expect(await d.call('CLUSTER', 'MYID')).not.toBe(bulk(id));
    expect(await d.call('CLUSTER', 'INFO')).toContain('cluster_current_epoch:0\r\ncluster_my_epoch:0\r\n');
    d.close();
    await b.close();
  });

  it('reads the file redis-server 7.2 writes, other nodes and announced hosts included', async () => {
    const dir = tempDir();
    const id = 'e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca';
    const shard = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
    writeFileSync(join(dir, 'nodes.conf'), [
      `${id} 127.0.0.1:30001@40001,host.example,tls-port=0,shard-id=${shard} myself,master - 0 1700000000000 3 connected 0-16383`,
      'vars currentEpoch 4 lastVoteEpoch 2',
      '',
    ].join('\n'));
    const s = await createServer({ 'cluster-enabled': 'yes', dir, 'cluster-announce-hostname': 'node-a', 'cluster-announce-ip': '10.0.0.9' });
    const c = await RawClient.connect(s.port);
    expect(await c.call('CLUSTER', 'MYID')).toBe(bulk(id));
    expect(await c.call('CLUSTER', 'INFO')).toContain('cluster_current_epoch:4\r\ncluster_my_epoch:3\r\n');
    expect(await c.call('CLUSTER', 'NODES')).toBe(bulk(`${id} 10.0.0.9:${s.port}@${s.port + 10000},node-a myself,master - 0 0 3 connected 0-16383\n`));
    expect(readFileSync(join(dir, 'nodes.conf'), 'latin1')).toBe(
      `${id} 10.0.0.9:${s.port}@${s.port + 10000},node-a,tls-port=0,shard-id=${shard} myself,master - 0 0 3 connected 0-16383\nvars currentEpoch 4 lastVoteEpoch 2\n`,
    );
    c.close();
    await s.close();
  });

  it('starts npx respd --cluster-enabled yes in cluster mode, nodes.conf in its directory', async () => {
    const cli = await startCli(['--cluster-enabled', 'yes']);
    try {
      expect(cli.output()).toContain('WARNING: Changing databases number from 16 to 1 since we are in cluster mode');
      expect(cli.output()).toMatch(/Running mode=cluster, port=\d+\./);
      expect(cli.output()).not.toContain("Directive 'cluster-enabled' is accepted but not acted on");
      const c = await RawClient.connect(cli.sock);
      const id = bulkText(await c.call('CLUSTER', 'MYID'));
      // A unix-socket client reached no address: the node's stays unknown.
      expect(await c.call('CLUSTER', 'NODES')).toMatch(new RegExp(`^\\$\\d+\r\n${id} :\\d+@\\d+ myself,master - 0 0 0 connected 0-16383\n\r\n$`));
      expect(readFileSync(join(cli.dir, 'nodes.conf'), 'latin1')).toMatch(new RegExp(`^${id} :\\d+@\\d+,,tls-port=0,shard-id=[0-9a-f]{40} myself,master - 0 0 0 connected 0-16383\nvars currentEpoch 0 lastVoteEpoch 0\n$`));
      c.close();
    } finally {
      cli.stop();
    }
  });

  it('refuses to start on a corrupt file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'nodes.conf'), 'not a nodes file\n');
    await expect(createServer({ 'cluster-enabled': 'yes', dir })).rejects.toThrow(/Unrecoverable error: corrupted cluster config file/);
  });
});

describe('without cluster-enabled', async () => {
  const server = await startServer();
  const c = await RawClient.connect(server.port);

  it('answers every CLUSTER subcommand and READONLY, READWRITE, ASKING with cluster support disabled', async () => {
    for (const cmd of [['CLUSTER', 'INFO'], ['CLUSTER', 'HELP'], ['CLUSTER', 'KEYSLOT', 'x'], ['CLUSTER', 'NODES'], ['CLUSTER', 'ADDSLOTS', '1'], ['READONLY'], ['READWRITE'], ['ASKING']]) {
      expect(await c.call(...cmd), cmd.join(' ')).toBe(err('This instance has cluster support disabled'));
    }
    expect(await c.call('CLUSTER', 'INFO', 'x')).toBe(err("wrong number of arguments for 'cluster|info' command"));
  });

  it('keeps keys in any slot together, SELECT and INFO as standalone', async () => {
    expect(await c.call('MSET', 'a', '1', 'b', '2')).toBe('+OK\r\n');
    expect(await c.call('SELECT', '1')).toBe('+OK\r\n');
    expect(await c.call('INFO', 'cluster')).toBe(bulk('# Cluster\r\ncluster_enabled:0\r\n'));
    expect(server.server.keyspace.keyIndex).toBeUndefined();
  });
});


describe('cluster clients', async () => {
  const server = await startServer({ 'cluster-enabled': 'yes', dir: tempDir() });

  it('serves ioredis Cluster: hash tags, MGET, a pipeline, CROSSSLOT surfacing', async () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: server.port }], { enableReadyCheck: true });
    try {
      expect(await cluster.set('{user:1}:name', 'ada')).toBe('OK');
      expect(await cluster.set('{user:1}:lang', 'lisp')).toBe('OK');
      expect(await cluster.get('{user:1}:name')).toBe('ada');
      expect(await cluster.mget('{user:1}:name', '{user:1}:lang', '{user:1}:none')).toEqual(['ada', 'lisp', null]);
      const results = await cluster.pipeline().set('{p}a', '1').incr('{p}a').get('{p}a').exec();
      expect(results).toEqual([[null, 'OK'], [null, 2], [null, '2']]);
      await expect(cluster.mget('x', 'y')).rejects.toThrow("CROSSSLOT Keys in request don't hash to the same slot");
      const nodes = cluster.nodes('master');
      expect(nodes).toHaveLength(1);
      expect(nodes[0]!.options.port).toBe(server.port);
      expect(await cluster.cluster('KEYSLOT', '{user:1}:name')).toBe(keyHashSlot('user:1'));
    } finally {
      cluster.disconnect();
    }
  });

  it('serves node-redis createCluster', async () => {
    const cluster = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${server.port}` }] });
    await cluster.connect();
    try {
      expect(await cluster.set('{n}a', '1')).toBe('OK');
      expect(await cluster.set('{n}b', '2')).toBe('OK');
      expect(await cluster.mGet(['{n}a', '{n}b'])).toEqual(['1', '2']);
      expect(await cluster.get('elsewhere')).toBeNull();
      const master = cluster.masters[0]!;
      expect(master.port).toBe(server.port);
      await expect(cluster.sendCommand('{n}a', false, ['MGET', 'p', 'q'])).rejects.toThrow('CROSSSLOT');
    } finally {
      await cluster.close();
    }
  });
});
