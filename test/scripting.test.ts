// EVAL, EVALSHA, SCRIPT and the Lua environment: test/scenarios/scripting.txt as recorded from
// redis-server (compile and runtime errors, conversions both ways, the libraries, redis.call and
// redis.pcall, the shebang, the script cache), then what a recording cannot show: line numbers in
// multi-line scripts, atomicity, KEYS/ARGV, ioredis defineCommand, and the Lua 5.1 semantics
// scripts rely on.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RawClient, replayScenario, startServer } from './helpers.js';

const server = await startServer();
const c = await RawClient.connect(server.port);
afterAll(() => c.close());

const evalReply = (script: string, ...rest: string[]) => c.call('EVAL', script, String(rest.length ? rest.length : 0), ...rest);

describe('recorded from redis-server', () => {
  it('answers test/scenarios/scripting.txt as redis-server does', () =>
    replayScenario(server.port, 'scripting', {
      "SCRIPT LOAD 'return +'": 'luaparse names the token after the unexpected one in this syntax error',
      'EVAL \'return redis.call("blpop", "nolist", 0)\' 0': '7.2 lets scripts call the blocking commands (they answer as if timed out)',
      'EVAL \'return redis.call("brpop", "nolist", 0)\' 0': '7.2 lets scripts call the blocking commands (they answer as if timed out)',
      'EVAL "return redis.call(\'set\', \'a\', \'b\')" 0': '7.2 says "ACL failure in script: " and the ACL\'s own message',
    }), 60000);
});

describe('functions, recorded from redis-server', () => {
  it('answers test/scenarios/functions.txt as redis-server does', () =>
    replayScenario(server.port, 'functions', {
      'FUNCTION LIST': "Redis lists libraries and their functions in its hash tables' order",
      'FUNCTION LIST WITHCODE LIBRARYNAME errlib': "Redis lists a library's functions in its hash table's order",
    }), 60000);

  it('FUNCTION LIST of one library, in RESP3 too', async () => {
    const r = await RawClient.connect(server.port);
    const code = "#!lua name=one\nredis.register_function{function_name='f1', callback=function() return 1 end, flags={'no-writes'}, description='d'}";
    expect(await r.call('FUNCTION', 'LOAD', 'REPLACE', code)).toBe('$3\r\none\r\n');
    const fn = '*6\r\n$4\r\nname\r\n$2\r\nf1\r\n$11\r\ndescription\r\n$1\r\nd\r\n$5\r\nflags\r\n*1\r\n$9\r\nno-writes\r\n';
    expect(await r.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'one')).toBe(`*1\r\n*6\r\n$12\r\nlibrary_name\r\n$3\r\none\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*1\r\n${fn}`);
    await r.call('HELLO', '3');
    expect(await r.call('FCALL_RO', 'f1', '0')).toBe(':1\r\n');
    expect(await r.call('FUNCTION', 'STATS')).toMatch(/^%2\r\n\$14\r\nrunning_script\r\n_\r\n\$7\r\nengines\r\n%1\r\n\$3\r\nLUA\r\n%2\r\n/);
    expect(await r.call('FUNCTION', 'DELETE', 'one')).toBe('+OK\r\n');
    r.close();
  });
});

describe('errors name the line', () => {
  it('a runtime error on line 3 of a script', async () => {
    const r = await c.call('EVAL', 'local a = 1\nlocal b = 2\nreturn a + nil', '0');
    expect(r).toMatch(/^-ERR user_script:3: attempt to perform arithmetic on a nil value script: [0-9a-f]{40}, on @user_script:3\.\r\n$/);
  });

  it('a failing redis.call on line 2', async () => {
    await c.call('SET', 'str', 'x');
    const r = await c.call('EVAL', "local x = 1\nreturn redis.call('lpush', 'str', 'a')", '0');
    expect(r).toMatch(/^-WRONGTYPE Operation against a key holding the wrong kind of value script: [0-9a-f]{40}, on @user_script:2\.\r\n$/);
  });

  it('a syntax error on line 2', async () => {
    expect(await c.call('EVAL', 'local x = 1\nlocal = 2', '0')).toBe("-ERR Error compiling script (new function): user_script:2: '<name>' expected near '='\r\n");
  });
});

describe('Lua 5.1 semantics', () => {
  const value = async (expr: string) => evalReply(`return ${expr}`);
  it('numbers are doubles printed with %.14g', async () => {
    expect(await value('tostring(10/2)')).toBe('$1\r\n5\r\n');
    expect(await value('tostring(1/3)')).toBe('$16\r\n0.33333333333333\r\n');
    expect(await value('tostring(2^63)')).toBe('$19\r\n9.2233720368548e+18\r\n');
    expect(await value("'10' + 5")).toBe(':15\r\n');
    expect(await value('7 // 2')).toMatch(/^-ERR Error compiling script/);
  });

  it('cjson and tables round trip', async () => {
    expect(await value("cjson.encode(cjson.decode('[1,\"a\",[true,false],{\"k\":[]}]'))")).toBe('$29\r\n[1,"a",[true,false],{"k":{}}]\r\n');
  });

  it('globals are protected and KEYS/ARGV are set per call', async () => {
    expect(await c.call('EVAL', 'return KEYS[1] .. ARGV[1]', '1', 'k', 'v')).toBe('$2\r\nkv\r\n');
    expect(await c.call('EVAL', 'return {KEYS[1], ARGV[1]}', '1', 'a', 'b')).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    expect(await c.call('EVAL', 'return #KEYS', '0')).toBe(':0\r\n');
    expect(await value('rawget(_G, "KEYS") ~= nil')).toBe(':1\r\n');
    expect(await c.call('EVAL', 'setmetatable(_G, nil)', '0')).toMatch(/Attempt to modify a readonly table/);
  });

  it('closures, varargs, recursion and string patterns', async () => {
    const script = `
      local function counter() local n = 0 return function() n = n + 1 return n end end
      local c1 = counter() c1() c1()
      local function sum(...) local s = 0 for _, v in ipairs({...}) do s = s + v end return s end
      local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
      local words = {} for w in string.gmatch("one two  three", "%a+") do words[#words + 1] = w:upper() end
      return {c1(), sum(1, 2, 3, 4), fib(20), table.concat(words, "-"), (string.gsub("a-b-c", "-", "+"))}`;
    expect(await c.call('EVAL', script, '0')).toBe('*5\r\n:3\r\n:10\r\n:6765\r\n$13\r\nONE-TWO-THREE\r\n$5\r\na+b+c\r\n');
  });
});

describe('scripts with the data', () => {
  it('run atomically and see their own writes', async () => {
    const script = "for i = 1, 100 do redis.call('incr', KEYS[1]) end return redis.call('get', KEYS[1])";
    const d = await RawClient.connect(server.port);
    // Two clients at once: each script's 100 increments run without the other's in between.
    const replies = await Promise.all([c.call('EVAL', script, '1', 'atomic'), d.call('EVAL', script, '1', 'atomic')]);
    expect(replies.sort()).toEqual(['$3\r\n100\r\n', '$3\r\n200\r\n']);
    d.close();
  });

  it('a blocking command inside a script answers at once, as if it timed out', async () => {
    // The null array of a timed-out BLPOP is false in Lua, and false is a null bulk reply.
    expect(await c.call('EVAL', "return redis.call('blpop', 'empty:list', 0)", '0')).toBe('$-1\r\n');
    expect(await c.call('EVAL', "return type(redis.call('blpop', 'empty:list', 0))", '0')).toBe('$7\r\nboolean\r\n');
  });

  it('EVALSHA of a script loaded by another client; SCRIPT FLUSH forgets it', async () => {
    const other = await RawClient.connect(server.port);
    const sha = /^\$40\r\n([0-9a-f]{40})\r\n$/.exec(await other.call('SCRIPT', 'LOAD', "return 'hi'"))![1]!;
    expect(await c.call('EVALSHA', sha, '0')).toBe('$2\r\nhi\r\n');
    expect(await c.call('SCRIPT', 'FLUSH')).toBe('+OK\r\n');
    expect(await c.call('EVALSHA', sha, '0')).toBe('-NOSCRIPT No matching script. Please use EVAL.\r\n');
    other.close();
  });

  it('ioredis defineCommand (EVALSHA, falling back to EVAL on NOSCRIPT)', async () => {
    const r = new Redis({ port: server.port, lazyConnect: true });
    await r.connect();
    r.defineCommand('incrTwice', { numberOfKeys: 1, lua: "redis.call('incrby', KEYS[1], ARGV[1]) return redis.call('incrby', KEYS[1], ARGV[1])" });
    const incrTwice = (r as unknown as { incrTwice: (k: string, by: number) => Promise<number> }).incrTwice.bind(r);
    expect(await incrTwice('dc', 5)).toBe(10);
    await r.script('FLUSH');
    expect(await incrTwice('dc', 1)).toBe(12);
    r.disconnect();
  });
});

describe('INFO', () => {
  it('counts cached scripts, functions and libraries', async () => {
    const r = await RawClient.connect(server.port);
    await r.call('SCRIPT', 'FLUSH');
    await r.call('FUNCTION', 'FLUSH');
    await r.call('SCRIPT', 'LOAD', 'return 1');
    await r.call('SCRIPT', 'LOAD', 'return 2');
    await r.call('FUNCTION', 'LOAD', "#!lua name=lib1\nredis.register_function('fa', function() end)\nredis.register_function('fb', function() end)");
    const info = await r.call('INFO', 'memory');
    expect(info).toMatch(/\r\nnumber_of_cached_scripts:2\r\nnumber_of_functions:2\r\nnumber_of_libraries:1\r\n/);
    expect(info).toMatch(/\r\nused_memory_scripts_eval:16\r\n/);
    r.close();
  });
});

describe('MONITOR', () => {
  it('shows EVAL, then the commands its script ran as [db lua]', async () => {
    const m = await RawClient.connect(server.port);
    expect(await m.call('MONITOR')).toBe('+OK\r\n');
    const start = m.received.length;
    await c.call('EVAL', "return redis.call('set', KEYS[1], 'v')", '1', 'mon:k');
    // The PING after shows the monitor has seen everything before it.
    await c.call('PING');
    await m.waitBytes(start + 1);
    for (let i = 0; i < 100 && !/"PING"/.test(m.received.slice(start)); i++) await m.waitBytes(m.received.length + 1, 50);
    const lines = m.received.slice(start).split('\r\n').filter(Boolean);
    expect(lines[0]).toMatch(/^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "EVAL" "return redis\.call\('set', KEYS\[1\], 'v'\)" "1" "mon:k"$/);
    expect(lines[1]).toMatch(/^\+\d+\.\d{6} \[0 lua\] "set" "mon:k" "v"$/);
    expect(lines[2]).toMatch(/"PING"$/);
    m.close();
  });
});

describe('runaway scripts end with Lua errors, the server goes on', () => {
  it('deep recursion, a looping __index, a pattern deeper than the stack', async () => {
    expect(await c.call('EVAL', 'local function f() return f() + 1 end return f()', '0')).toMatch(/^-ERR user_script:1: stack overflow script: /);
    expect(await c.call('EVAL', 'local t = {} setmetatable(t, {__index = t}) return t.x', '0')).toMatch(/^-ERR user_script:1: loop in gettable script: /);
    expect(await c.call('EVAL', "return string.find(string.rep('a', 5000), string.rep('a?', 2500) .. string.rep('a', 2500))", '0')).toBe(':1\r\n');
    expect(await c.call('EVAL', "return string.find(string.rep('a', 200000), string.rep('a?', 100000) .. string.rep('a', 100000))", '0')).toMatch(/^-ERR user_script:1: stack overflow script: /);
    expect(await c.call('PING')).toBe('+PONG\r\n');
  });
});

describe('scripts over maxmemory', () => {
  it('the first deny-oom command fails; a flagged script needs allow-oom or no-writes', async () => {
    const s = await startServer({ maxmemory: '1mb', 'maxmemory-policy': 'noeviction' });
    const r = await RawClient.connect(s.port);
    const oom = "-OOM command not allowed when used memory > 'maxmemory'.";
    expect(await r.call('EVAL', "return redis.call('set', 'a', 'b')", '0')).toMatch(new RegExp(`^${oom.replace(/[.()']/g, '\\$&')} script: [0-9a-f]{40}, on @user_script:1\\.\\r\\n$`));
    expect(await r.call('EVAL', "return redis.call('get', 'a')", '0')).toBe('$-1\r\n');
    expect(await r.call('EVAL', "#!lua\nreturn redis.call('get', 'a')", '0')).toBe("-OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'\r\n");
    expect(await r.call('EVAL', "#!lua flags=no-writes\nreturn redis.call('get', 'a')", '0')).toBe('$-1\r\n');
    expect(await r.call('EVAL', "#!lua flags=allow-oom\nreturn redis.call('set', 'a', 'b')", '0')).toBe('+OK\r\n');
    r.close();
  });
});

describe('FUNCTION DUMP and RESTORE', () => {
  const code = "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return redis.call('set', keys[1], args[1]) end)";
  // FUNCTION DUMP of `code` by redis-server 7.0.15: the library, LZF-compressed, then RDB version 10
  // and the CRC-64. respd writes the same body and 7.2's RDB version 11.
  const body = 'f5c3406c40771f23216c7561206e616d653d6d796c69620a72656469732e72656769737465725f0b66756e6374696f6e28276d79400b02272c2040066012116b6579732c2061726773292072657475726e2006403d0863616c6c2827736574202d4024025b315d80272008052920656e6429';
  const redis70 = Buffer.from(body + '0a002ddeb7b06dc38c75', 'hex');

  it('dumps the library as Redis does and restores it, by policy', async () => {
    const r = new Redis({ port: server.port, lazyConnect: true });
    await r.connect();
    await r.function('FLUSH');
    await r.function('LOAD', code);
    const dump = await r.callBuffer('FUNCTION', 'DUMP') as Buffer;
    expect(dump.subarray(0, dump.length - 10).toString('hex')).toBe(body);
    expect(dump.subarray(dump.length - 10, dump.length - 8).toString('hex')).toBe('0b00');
    await r.function('FLUSH');
    expect(await r.call('FUNCTION', 'RESTORE', dump)).toBe('OK');
    expect(await r.call('FCALL', 'myfunc', '1', 'fk', 'fv')).toBe('OK');
    await expect(r.call('FUNCTION', 'RESTORE', dump)).rejects.toThrow('ERR Library mylib already exists');
    expect(await r.call('FUNCTION', 'RESTORE', dump, 'REPLACE')).toBe('OK');
    expect(await r.call('FUNCTION', 'RESTORE', dump, 'FLUSH')).toBe('OK');
    // A payload redis-server 7.0 wrote.
    expect(await r.call('FUNCTION', 'RESTORE', redis70, 'REPLACE')).toBe('OK');
    await expect(r.call('FUNCTION', 'RESTORE', Buffer.from('garbage-garbage'))).rejects.toThrow('ERR DUMP payload version or checksum are wrong');
    await expect(r.call('FUNCTION', 'RESTORE', dump, 'BAD')).rejects.toThrow('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
    r.disconnect();
  });
});

describe('what a script does is seen as any command', () => {
  it('commandstats count its commands; keyspace notifications are sent for its writes', async () => {
    const s = await startServer({ 'notify-keyspace-events': 'KEA' });
    const r = await RawClient.connect(s.port);
    const sub = await RawClient.connect(s.port);
    expect(await sub.call('PSUBSCRIBE', '__keyevent@0__:*')).toMatch(/^\*3\r\n\$10\r\npsubscribe\r\n/);
    expect(await r.call('CONFIG', 'RESETSTAT')).toBe('+OK\r\n');
    expect(await r.call('EVAL', "redis.call('set', 'n:k', '1') redis.call('incr', 'n:k') return redis.call('get', 'n:k')", '0')).toBe('$1\r\n2\r\n');
    const stats = await r.call('INFO', 'commandstats');
    expect(stats).toMatch(/\r\ncmdstat_set:calls=1,/);
    expect(stats).toMatch(/\r\ncmdstat_incr:calls=1,/);
    expect(stats).toMatch(/\r\ncmdstat_eval:calls=1,/);
    const start = sub.received.length;
    expect(await r.call('PING')).toBe('+PONG\r\n');
    await sub.waitBytes(start + 1);
    for (let i = 0; i < 100 && !/incrby/.test(sub.received); i++) await sub.waitBytes(sub.received.length + 1, 50);
    expect(sub.received).toMatch(/__keyevent@0__:set\r\n\$3\r\nn:k\r\n/);
    expect(sub.received).toMatch(/__keyevent@0__:incrby\r\n\$3\r\nn:k\r\n/);
    r.close();
    sub.close();
  });
});

describe('error statistics', () => {
  it('count errors where they arise, once, as redis-server does', async () => {
    const s = await startServer();
    const r = await RawClient.connect(s.port);
    await r.call('SET', 'str', 'x');
    await r.call('CONFIG', 'RESETSTAT');
    const scripts = [
      "return redis.pcall('lpush','str','a')", "return redis.call('lpush','str','a')", "redis.pcall('lpush','str','a') return 'ok'",
      'return nil + 1', "return redis.call('nosuch')", "return redis.pcall('nosuch')", "return redis.error_reply('MY custom')",
      "local ok = pcall(function() redis.call('nosuch') end) return 1",
    ];
    for (const script of scripts) await r.call('EVAL', script, '0');
    // The figures redis-server gives for the same eight scripts.
    expect(await r.call('INFO', 'stats')).toMatch(/\r\ntotal_error_replies:8\r\n/);
    const errorstats = await r.call('INFO', 'errorstats');
    for (const line of ['errorstat_ERR:count=4', 'errorstat_MY:count=1', 'errorstat_WRONGTYPE:count=3']) expect(errorstats).toContain(line);
    const commandstats = await r.call('INFO', 'commandstats');
    expect(commandstats).toMatch(/cmdstat_eval:calls=8,usec=\d+,usec_per_call=[\d.]+,rejected_calls=0,failed_calls=6\r\n/);
    expect(commandstats).toMatch(/cmdstat_lpush:calls=3,usec=\d+,usec_per_call=[\d.]+,rejected_calls=0,failed_calls=3\r\n/);
    r.close();
  });
});
