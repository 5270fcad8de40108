// DEBUG: the enable-debug-command gate, and the subcommands Redis's users and test suites use,
// byte for byte (PROTOCOL in RESP2 and RESP3, DIGEST and DIGEST-VALUE as redis-server computes them).
// test/scenarios/debug.txt is the same ground diffed against redis-server with resp-diff.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RawClient, replayScenario, resp, startCli, startServer, until } from './helpers.js';

const NOT_ALLOWED = '-ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n';

describe('enable-debug-command', () => {
  it('is local for embedded servers: DEBUG runs over loopback', async () => {
    const s = await startServer();
    const c = await RawClient.connect(s.port);
    expect(await c.call('CONFIG', 'GET', 'enable-debug-command')).toBe('*2\r\n$20\r\nenable-debug-command\r\n$5\r\nlocal\r\n');
    expect(await c.call('DEBUG', 'SLEEP', '0')).toBe('+OK\r\n');
    c.close();
  });

  it('no: DEBUG refused with Redis\'s text, after the arity check and before auth', async () => {
    const s = await startServer({ 'enable-debug-command': 'no', requirepass: 'pw' });
    const c = await RawClient.connect(s.port);
    expect(await c.call('DEBUG', 'SLEEP', '0')).toBe(NOT_ALLOWED);
    expect(await c.call('DEBUG')).toBe("-ERR wrong number of arguments for 'debug' command\r\n");
    expect(await c.call('AUTH', 'pw')).toBe('+OK\r\n');
    expect(await c.call('DEBUG', 'HELP')).toBe(NOT_ALLOWED);
    // A rejected call, as INFO commandstats counts it.
    expect(await c.call('INFO', 'commandstats')).toMatch(/cmdstat_debug:calls=0,.*rejected_calls=3/);
    expect(await c.call('CONFIG', 'SET', 'enable-debug-command', 'yes')).toBe("-ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config\r\n");
    c.close();
  });

  it('yes: DEBUG from anywhere', async () => {
    const s = await startServer({ 'enable-debug-command': 'yes' });
    const c = await RawClient.connect(s.port);
    expect(await c.call('DEBUG', 'JMAP')).toBe('+OK\r\n');
    c.close();
  });

  it('the CLI keeps Redis\'s default, no', async () => {
    const cli = await startCli([]);
    try {
      const c = await RawClient.connect(cli.sock);
      expect(await c.call('DEBUG', 'SLEEP', '0')).toBe(NOT_ALLOWED);
      c.close();
    } finally {
      cli.stop();
    }
  });
});

describe('DEBUG subcommands', async () => {
  const s = await startServer();
  const c = await RawClient.connect(s.port);
  const c3 = await RawClient.connect(s.port);
  await c3.call('HELLO', '3');
  afterAll(() => {
    c.close();
    c3.close();
  });

  it('PROTOCOL: every type, RESP2 and RESP3, as debug.c writes them', async () => {
    const cases: [string, string, string][] = [
      ['string', '$11\r\nHello World\r\n', '$11\r\nHello World\r\n'],
      ['integer', ':12345\r\n', ':12345\r\n'],
      ['double', '$5\r\n3.141\r\n', ',3.141\r\n'],
      ['bignum', '$37\r\n1234567999999999999999999999999999999\r\n', '(1234567999999999999999999999999999999\r\n'],
      ['null', '$-1\r\n', '_\r\n'],
      ['array', '*3\r\n:0\r\n:1\r\n:2\r\n', '*3\r\n:0\r\n:1\r\n:2\r\n'],
      ['set', '*3\r\n:0\r\n:1\r\n:2\r\n', '~3\r\n:0\r\n:1\r\n:2\r\n'],
      ['map', '*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n', '%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n'],
      ['attrib', '$39\r\nSome real reply following the attribute\r\n',
        '|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n'],
      ['push', '-ERR RESP2 is not supported by this command\r\n',
        '>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following the push reply\r\n'],
      ['true', ':1\r\n', '#t\r\n'],
      ['false', ':0\r\n', '#f\r\n'],
      ['verbatim', '$25\r\nThis is a verbatim\nstring\r\n', '=29\r\ntxt:This is a verbatim\nstring\r\n'],
    ];
    for (const [type, r2, r3] of cases) {
      expect(await c.call('DEBUG', 'PROTOCOL', type), type).toBe(r2);
      // Push data is a message of its own, then the reply: both read at once.
      expect(await c3.exchange(resp('DEBUG', 'PROTOCOL', type), r3.length), type).toBe(r3);
    }
    expect(await c.call('DEBUG', 'PROTOCOL', 'nosuch')).toBe('-ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n');
  });

  it('DIGEST and DIGEST-VALUE: redis-server 7.0\'s values for the same data, order-independent', async () => {
    await c.call('FLUSHALL');
    expect(await c.call('DEBUG', 'DIGEST')).toBe('+0000000000000000000000000000000000000000\r\n');
    // Values read from redis-server 7.0.15 after the same commands (test/scenarios/debug.txt).
    const load = async (cl: RawClient, reverse: boolean) => {
      const cmds: string[][] = [
        ['SET', 's', 'hello'], ['SET', 'n', '12345'], ['RPUSH', 'l', 'a', 'b', 'c', '1', '2', '3'], ['SADD', 'si', '1', '2', '3', '-5'],
        ['SADD', 'ss', 'a', 'b', 'c'], ['ZADD', 'z', '1', 'a', '2.5', 'b', '-3', 'c', '1e100', 'd'], ['HSET', 'h', 'f1', 'v1', 'f2', 'v2'],
        ['SET', 'e', 'v', 'PX', '100000'],
      ];
      for (const cmd of reverse ? cmds.reverse() : cmds) await cl.call(...cmd);
    };
    await load(c, false);
    const values = await c.call('DEBUG', 'DIGEST-VALUE', 's', 'l', 'si', 'z', 'h', 'e', 'nosuch');
    const digest = await c.call('DEBUG', 'DIGEST');
    expect(values).toBe('*7\r\n' + [
      '36b23a1456b2dce2c3ed252c456761301dba8060', '28150a3b2cc0efbc98d23e7962f278329e3b583b', '5e497276f46b9037a75afe0286ef7a77cbed85e4',
      '2ded13859c67141cd9ee3d856374c733d325f0f1', '047cc60ea73a34cde6d08a2721a4a26d19ee6570', '311b17018163335616e089f6b951c82c477335ac',
      '0000000000000000000000000000000000000000',
    ].map((d) => `+${d}\r\n`).join(''));
    expect(digest).toBe('+7c425e0e010b0ac01d7a353238aa8765ab143044\r\n');
    await c.call('FLUSHALL');
    await load(c, true);
    expect(await c.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await c.call('DEBUG', 'DIGEST-VALUE', 's', 'l', 'si', 'z', 'h', 'e', 'nosuch')).toBe(values);
    // A list in another order is another list.
    await c.call('DEL', 'l');
    await c.call('RPUSH', 'l', 'c', 'b', 'a', '1', '2', '3');
    expect(await c.call('DEBUG', 'DIGEST')).not.toBe(digest);
    expect(values.split('\r\n')[7]).toBe('+0000000000000000000000000000000000000000');
  });

  it('POPULATE: key:N = value:N, existing keys kept, prefix and size', async () => {
    await c.call('FLUSHALL');
    await c.call('SET', 'key:3', 'mine');
    expect(await c.call('DEBUG', 'POPULATE', '1000')).toBe('+OK\r\n');
    expect(await c.call('DBSIZE')).toBe(':1000\r\n');
    expect(await c.call('GET', 'key:3')).toBe('$4\r\nmine\r\n');
    expect(await c.call('GET', 'key:999')).toBe('$9\r\nvalue:999\r\n');
    expect(await c.call('DEBUG', 'POPULATE', '2', 'p', '3')).toBe('+OK\r\n');
    expect(await c.call('GET', 'p:1')).toBe('$3\r\nval\r\n');
    expect(await c.call('DEBUG', 'POPULATE', '1', 'q', '10')).toBe('+OK\r\n');
    expect(await c.call('GET', 'q:0')).toBe('$10\r\nvalue:0\0\0\0\r\n');
    expect(await c.call('DEBUG', 'POPULATE', '-1')).toBe('-ERR value is out of range, must be positive\r\n');
    expect(await c.call('DEBUG', 'POPULATE', 'x')).toBe('-ERR value is out of range, must be positive\r\n');
  });

  it('OBJECT: Redis\'s fields, quicklist details for big lists', async () => {
    await c.call('FLUSHALL');
    await c.call('SET', 'n', '12345');
    await c.call('SET', 's', 'hello');
    expect(await c.call('DEBUG', 'OBJECT', 'n')).toMatch(/^\+Value at:0x[0-9a-f]+ refcount:1 encoding:int serializedlength:3 lru:\d+ lru_seconds_idle:\d+\r\n$/);
    expect(await c.call('DEBUG', 'OBJECT', 's')).toMatch(/^\+Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:6 lru:\d+ lru_seconds_idle:\d+\r\n$/);
    await c.call('RPUSH', 'big', ...Array.from({ length: 3000 }, (_, i) => String(i + 1)));
    // The same figures redis-server 7.0 gives for RPUSH big 1..3000.
    expect(await c.call('DEBUG', 'OBJECT', 'big')).toMatch(/ encoding:quicklist serializedlength:8894 lru:\d+ lru_seconds_idle:\d+ ql_nodes:2 ql_avg_node:1500.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:8887\r\n$/);
    expect(await c.call('DEBUG', 'OBJECT', 'nosuch')).toBe('-ERR no such key\r\n');
    expect(await c.call('DEBUG', 'LISTPACK', 's')).toBe('-ERR Not a listpack encoded object.\r\n');
    expect(await c.call('DEBUG', 'QUICKLIST', 'big')).toBe('+Quicklist structure printed on stdout\r\n');
  });

  it('HTSTATS and HTSTATS-KEY', async () => {
    expect(await c.call('DEBUG', 'HTSTATS', '99')).toBe('-ERR Out of range database\r\n');
    expect(await c.call('DEBUG', 'HTSTATS', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await c.call('DEBUG', 'HTSTATS', '5')).toBe('$113\r\n[Dictionary HT]\nNo stats available for empty dictionaries\n[Expires HT]\nNo stats available for empty dictionaries\n\r\n');
    expect(await c3.call('DEBUG', 'HTSTATS', '0')).toMatch(/^=\d+\r\ntxt:\[Dictionary HT\]\nHash table 0 stats \(main hash table\):\n table size: \d+\n number of elements: 3\n/);
    await c.call('HSET', 'h', 'a', '1');
    expect(await c.call('DEBUG', 'HTSTATS-KEY', 'h')).toBe('-ERR The value stored at the specified key is not represented using an hash table\r\n');
  });

  it('the switches: SET-ACTIVE-EXPIRE, PAUSE-CRON, QUICKLIST-PACKED-THRESHOLD, CHANGE-REPL-ID', async () => {
    await c.call('FLUSHALL');
    expect(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0')).toBe('+OK\r\n');
    await c.call('SET', 'gone', 'v', 'PX', '1');
    // The cron demonstrably runs meanwhile: it closes a client idle past `timeout`.
    expect(await c.call('CONFIG', 'SET', 'timeout', '1')).toBe('+OK\r\n');
    const idle = await RawClient.connect(s.port);
    expect(await idle.call('PING')).toBe('+PONG\r\n');
    // (c itself keeps talking, so it is never idle that long.)
    await until(async () => (await c.call('PING')) === '+PONG\r\n' && idle.closed, (closed) => closed, 5000, 100);
    expect(await c.call('CONFIG', 'SET', 'timeout', '0')).toBe('+OK\r\n');
    // Not reclaimed in the background: still counted, but missing when read.
    expect(await c.call('DBSIZE')).toBe(':1\r\n');
    expect(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1')).toBe('+OK\r\n');
    expect(await c.call('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '5gb')).toBe('-ERR argument must be a memory value bigger than 1 and smaller than 4gb\r\n');
    expect(await c.call('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '100')).toBe('+OK\r\n');
    expect(await c.call('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0')).toBe('+OK\r\n');
    const replid = async () => /master_replid:([0-9a-f]{40})/.exec(await c.call('INFO', 'replication'))![1];
    const before = await replid();
    expect(await c.call('DEBUG', 'CHANGE-REPL-ID')).toBe('+OK\r\n');
    expect(await replid()).not.toBe(before);
    expect(await c.call('DEBUG', 'STRINGMATCH-LEN')).toBe('+Apparently Redis did not crash: test passed\r\n');
    expect(await c.call('DEBUG', 'ERROR', 'MYERR some\ntext')).toBe('-MYERR some text\r\n');
    expect(await c.call('DEBUG', 'NOSUCH')).toBe("-ERR unknown subcommand or wrong number of arguments for 'NOSUCH'. Try DEBUG HELP.\r\n");
    expect(await c.call('DEBUG', 'OBJECT')).toBe("-ERR unknown subcommand or wrong number of arguments for 'OBJECT'. Try DEBUG HELP.\r\n");
  });

  it('PAUSE-CRON stops the clients cron: an idle timeout does not fire until it is resumed', async () => {
    const t = await startServer({ timeout: 1 });
    const admin = await RawClient.connect(t.port);
    expect(await admin.call('DEBUG', 'PAUSE-CRON', '1')).toBe('+OK\r\n');
    const idle = await RawClient.connect(t.port);
    expect(await idle.call('PING')).toBe('+PONG\r\n');
    // A server alike with its cron running closes a client that went idle later than ours.
    const control = await startServer({ timeout: 1 });
    const idleThere = await RawClient.connect(control.port);
    expect(await idleThere.call('PING')).toBe('+PONG\r\n');
    expect(await idleThere.waitClose()).toBe(true);
    expect(idle.closed).toBe(false);
    expect(await admin.call('DEBUG', 'PAUSE-CRON', '0')).toBe('+OK\r\n');
    expect(await idle.waitClose()).toBe(true);
    admin.close();
  });

  it('CONFIG-REWRITE-FORCE-ALL writes every directive, defaults included', async () => {
    // Without a config file, as CONFIG REWRITE.
    const a = await RawClient.connect(s.port);
    expect(await a.call('DEBUG', 'CONFIG-REWRITE-FORCE-ALL')).toBe('-ERR CONFIG-REWRITE-FORCE-ALL failed: The server is running without a config file\r\n');
    a.close();
    const dir = mkdtempSync(join(tmpdir(), 'respd-rewrite-'));
    const file = join(dir, 'r.conf');
    writeFileSync(file, 'port 0\n');
    const cli = await startCli([file, '--enable-debug-command', 'local']);
    try {
      const b = await RawClient.connect(cli.sock);
      expect(await b.call('DEBUG', 'CONFIG-REWRITE-FORCE-ALL')).toBe('+OK\r\n');
      b.close();
      const text = readFileSync(file, 'utf8');
      expect(text).toMatch(/^maxmemory-policy noeviction$/m);
      expect(text).toMatch(/^hz 10$/m);
      expect(text).toMatch(/^timeout 0$/m);
    } finally {
      cli.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('recorded from redis-server', async () => {
  const recorded = await startServer();
  it('answers test/scenarios/debug.txt as redis-server does', () => replayScenario(recorded.port, 'debug'), 60000);
});
