// SCRIPT DEBUG: Redis's Lua debugger driven over a raw socket, as redis-cli --ldb drives it. Each
// step's reply is a multi-bulk of status lines; the session ends with "<endsession>", the
// script's reply, and the connection closed. Expected lines are those Debian's redis-server 7.0
// gave for the same requests. The server runs in its own process (the CLI): a session paused
// inside it blocks its thread, which would stop the test too.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RawClient, resp, startCli, until } from './helpers.js';

const cli = await startCli(['--busy-reply-threshold', '300', '--save', '', '--enable-debug-command', 'yes']);
afterAll(() => cli.stop());
// A test that fails mid-session would leave the server paused: its client leaving ends it.
const opened: RawClient[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.close();
});

/** A debugger reply's lines ("*N\r\n+line\r\n..."). */
function lines(reply: string): string[] {
  expect(reply).toMatch(/^\*\d+\r\n/);
  const out = reply.split('\r\n').slice(1, -1);
  for (const l of out) expect(l[0]).toBe('+');
  expect(out.length).toBe(Number(reply.slice(1, reply.indexOf('\r\n'))));
  return out.map((l) => l.slice(1));
}

/** A client in a debugging session of `script`, stopped at its first line. */
async function session(mode: 'yes' | 'sync', script: string): Promise<{ c: RawClient; first: string[] }> {
  const c = await RawClient.connect(cli.sock);
  opened.push(c);
  expect(await c.call('SCRIPT', 'DEBUG', mode)).toBe('+OK\r\n');
  const first = lines(await c.call('EVAL', script, '0'));
  return { c, first };
}

const dbg = async (c: RawClient, ...args: string[]): Promise<string[]> => lines(await c.call(...args));

/** Ends a session with `cmd` (continue or abort): "<endsession>", then the reply, then the close. */
async function end(c: RawClient, cmd: string, reply: string | RegExp): Promise<void> {
  const start = c.received.length;
  c.write(resp(cmd));
  const got = await c.replyAt(start, 2);
  expect(got.startsWith('*1\r\n+<endsession>\r\n')).toBe(true);
  const rest = got.slice('*1\r\n+<endsession>\r\n'.length);
  if (typeof reply === 'string') expect(rest).toBe(reply);
  else expect(rest).toMatch(reply);
  expect(await c.waitClose()).toBe(true);
}

const SCRIPT = [
  'local a = 1',
  'local b = {1,2,"x"}',
  'local t = {k="v"}',
  'redis.call("set","dbg:k1","v1")',
  'redis.debug(a, b, "s")',
  'for i=1,2 do',
  '  local c = i',
  'end',
  'return redis.call("get","dbg:k1")',
  '',
].join('\n');

describe('SCRIPT DEBUG', () => {
  it('checks its argument, refuses pipelines and transactions, scripts and EVALSHA', async () => {
    const c = await RawClient.connect(cli.sock);
    expect(await c.call('SCRIPT', 'DEBUG', 'maybe')).toBe('-ERR Use SCRIPT DEBUG YES/SYNC/NO\r\n');
    expect(await c.call('SCRIPT', 'DEBUG')).toBe("-ERR wrong number of arguments for 'script|debug' command\r\n");
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('SCRIPT', 'DEBUG', 'YES')).toBe('+QUEUED\r\n');
    expect(await c.call('EXEC')).toBe('*1\r\n-ERR SCRIPT DEBUG must be called outside a pipeline\r\n');
    // Pipelined behind a command whose reply is not written yet.
    const start = c.received.length;
    c.write(Buffer.concat([resp('PING'), resp('SCRIPT', 'DEBUG', 'sync')]));
    expect(await c.replyAt(start, 2)).toBe('+PONG\r\n-ERR SCRIPT DEBUG must be called outside a pipeline\r\n');
    expect(await c.call('EVAL', 'return redis.call("script","debug","yes")', '0')).toMatch(/^-ERR This Redis command is not allowed from script script: [0-9a-f]{40}, on @user_script:1\.\r\n$/);
    // Not in debug mode after all that: EVAL runs as usual.
    expect(await c.call('EVAL', 'return 7', '0')).toBe(':7\r\n');
    expect(await c.call('SCRIPT', 'DEBUG', 'sync')).toBe('+OK\r\n');
    expect(await c.call('EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0')).toBe('-ERR Please use EVAL instead of EVALSHA for debugging\r\n');
    expect(await c.call('EVALSHA', 'abc', '0')).toBe('-NOSCRIPT No matching script. Please use EVAL.\r\n');
    expect(await c.call('SCRIPT', 'DEBUG', 'no')).toBe('+OK\r\n');
    expect(await c.call('EVAL', 'return 8', '0')).toBe(':8\r\n');
    c.close();
  });

  it('steps, logs commands and their replies, prints locals and variables, lists the source', async () => {
    const { c, first } = await session('sync', SCRIPT);
    expect(first).toEqual(['* Stopped at 1, stop reason = step over', '-> 1   local a = 1']);
    expect(await dbg(c, 's')).toEqual(['* Stopped at 2, stop reason = step over', '-> 2   local b = {1,2,"x"}']);
    expect(await dbg(c, 'n')).toEqual(['* Stopped at 3, stop reason = step over', '-> 3   local t = {k="v"}']);
    expect(await dbg(c, 'p')).toEqual(['<value> a = 1', '<value> b = {1; 2; "x"}']);
    expect(await dbg(c, 'step')).toEqual(['* Stopped at 4, stop reason = step over', '-> 4   redis.call("set","dbg:k1","v1")']);
    expect(await dbg(c, 's')).toEqual(['<redis> set dbg:k1 v1', '<reply> "+OK"', '* Stopped at 5, stop reason = step over', '-> 5   redis.debug(a, b, "s")']);
    expect(await dbg(c, 'p', 'a')).toEqual(['<value> 1']);
    expect(await dbg(c, 'p', 't')).toEqual(['<value> {["k"]="v"}']);
    expect(await dbg(c, 'p', 'KEYS')).toEqual(['<value> {}']);
    expect(await dbg(c, 'p', 'zz')).toEqual(['No such variable.']);
    expect(await dbg(c, 'l')).toEqual([
      '   1   local a = 1', '   2   local b = {1,2,"x"}', '   3   local t = {k="v"}', '   4   redis.call("set","dbg:k1","v1")',
      '-> 5   redis.debug(a, b, "s")', '   6   for i=1,2 do', '   7     local c = i', '   8   end', '   9   return redis.call("get","dbg:k1")',
    ]);
    expect(await dbg(c, 'l', '2', '1')).toEqual(['   1   local a = 1', '   2   local b = {1,2,"x"}', '   3   local t = {k="v"}']);
    expect(await dbg(c, 's')).toEqual(['<debug> line 5: 1, {1; 2; "x"}, "s"', '* Stopped at 6, stop reason = step over', '-> 6   for i=1,2 do']);
    expect(await dbg(c, 's')).toEqual(['* Stopped at 7, stop reason = step over', '-> 7     local c = i']);
    expect(await dbg(c, 'p')).toEqual([
      '<value> a = 1', '<value> b = {1; 2; "x"}', '<value> t = {["k"]="v"}',
      '<value> (for index) = 1', '<value> (for limit) = 2', '<value> (for step) = 1', '<value> i = 1',
    ]);
    expect(await dbg(c, 't')).toEqual(['In top level:', '-> 7     local c = i']);
    // The loop goes back to its head, as Lua's line hook does.
    expect(await dbg(c, 's')).toEqual(['* Stopped at 6, stop reason = step over', '-> 6   for i=1,2 do']);
    await end(c, 'c', '$2\r\nv1\r\n');
    // SYNC keeps what the script wrote.
    const o = await RawClient.connect(cli.sock);
    expect(await o.call('GET', 'dbg:k1')).toBe('$2\r\nv1\r\n');
    o.close();
  });

  it('sets, lists and removes breakpoints; continue runs to the next one', async () => {
    const { c } = await session('sync', SCRIPT);
    expect(await dbg(c, 'b')).toEqual(["No breakpoints set. Use 'b <line>' to add one."]);
    expect(await dbg(c, 'b', '4')).toEqual(['   3   local t = {k="v"}', '  #4   redis.call("set","dbg:k1","v1")', '   5   redis.debug(a, b, "s")']);
    expect(await dbg(c, 'b', '9')).toEqual(['   8   end', '  #9   return redis.call("get","dbg:k1")']);
    expect(await dbg(c, 'b', '4')).toEqual(['Wrong line number.']);
    expect(await dbg(c, 'b', '99')).toEqual(['Wrong line number.']);
    expect(await dbg(c, 'b')).toEqual(['2 breakpoints set:', '  #4   redis.call("set","dbg:k1","v1")', '  #9   return redis.call("get","dbg:k1")']);
    expect(await dbg(c, 'b', '-9', '-8', 'x')).toEqual(['Breakpoint removed.', 'No breakpoint in the specified line.', "Invalid argument:'x'"]);
    expect(await dbg(c, 'c')).toEqual(['* Stopped at 4, stop reason = break point', '->#4   redis.call("set","dbg:k1","v1")']);
    // Continuing runs the commands without logging them.
    expect(await dbg(c, 'b', '0', '7')).toEqual(['All breakpoints removed.', '   6   for i=1,2 do', '  #7     local c = i', '   8   end']);
    expect(await dbg(c, 'c')).toEqual(['<debug> line 5: 1, {1; 2; "x"}, "s"', '* Stopped at 7, stop reason = break point', '->#7     local c = i']);
    expect(await dbg(c, 'p', 'i')).toEqual(['<value> 1']);
    expect(await dbg(c, 'c')).toEqual(['* Stopped at 7, stop reason = break point', '->#7     local c = i']);
    expect(await dbg(c, 'p', 'i')).toEqual(['<value> 2']);
    await end(c, 'continue', '$2\r\nv1\r\n');
  });

  it('evaluates Lua, runs Redis commands, trims long values, knows its commands', async () => {
    const big = 'local t = {}\nfor i=1,40 do t[i] = "abcdefghij" end\nredis.call("set","dbg:big",string.rep("x",400))\nreturn 1';
    const { c } = await session('sync', big);
    expect(await dbg(c, 'e', '1', '+', '2')).toEqual(['<retval> 3']);
    expect(await dbg(c, 'eval', 'a+1')).toEqual(["<error> ldb_eval:1: Script attempted to access nonexistent global variable 'a'"]);
    expect(await dbg(c, 'e', 'local')).toEqual(["<error> ldb_eval:1: '<name>' expected near '<eof>'"]);
    expect(await dbg(c, 'e', 'local x = 1')).toEqual(['<retval> nil']);
    expect(await dbg(c, 'e', '{1, "a", {b=true}}')).toEqual(['<retval> {1; "a"; {["b"]=true}}']);
    expect(await dbg(c, 'r', 'set', 'dbg:n', 'a')).toEqual(['<redis> set dbg:n a', '<reply> "+OK"']);
    expect(await dbg(c, 'redis', 'incr', 'dbg:n')).toEqual([
      '<redis> incr dbg:n', '<error> -ERR value is not an integer or out of range', '<reply> "-ERR value is not an integer or out of range"',
    ]);
    expect(await dbg(c, 'r', 'nosuchcommand')).toEqual(['<redis> nosuchcommand', '<error> Unknown Redis command called from script']);
    expect(await dbg(c, 'r')).toEqual(['<error> Unknown Redis Lua debugger command or wrong number of arguments.']);
    expect(await dbg(c, 'xx')).toEqual(['<error> Unknown Redis Lua debugger command or wrong number of arguments.']);
    const help = await dbg(c, 'h');
    expect(help.length).toBe(30);
    expect(help[0]).toBe('Redis Lua debugger help:');
    expect(help[29]).toBe('                     next line of code.');
    expect(await dbg(c, 's')).toEqual(['* Stopped at 2, stop reason = step over', '-> 2   for i=1,40 do t[i] = "abcdefghij" end']);
    expect(await dbg(c, 's')).toEqual(['* Stopped at 2, stop reason = step over', '-> 2   for i=1,40 do t[i] = "abcdefghij" end']);
    expect(await dbg(c, 'b', '3')).toHaveLength(3);
    expect(await dbg(c, 'c')).toEqual(['* Stopped at 3, stop reason = break point', '->#3   redis.call("set","dbg:big",string.rep("x",400))']);
    const trimmed = await dbg(c, 'p');
    expect(trimmed).toHaveLength(2);
    expect(trimmed[0]).toBe(`<value> t = {${Array(17).fill('"abcdefghij"').join('; ')}; "abcd ...`);
    expect(trimmed[0]!.length).toBe(256 + 4);
    expect(trimmed[1]).toBe("<hint> The above reply was trimmed. Use 'maxlen 0' to disable trimming.");
    // The hint comes once; the <redis> line is never trimmed.
    expect(await dbg(c, 'p', 't')).toHaveLength(1);
    const step = await dbg(c, 's');
    expect(step[0]).toBe(`<redis> set dbg:big ${'x'.repeat(400)}`);
    expect(step.slice(1)).toEqual(['<reply> "+OK"', '* Stopped at 4, stop reason = step over', '-> 4   return 1']);
    expect(await dbg(c, 'm')).toEqual(['<value> replies are truncated at 256 bytes.']);
    expect(await dbg(c, 'm', '10')).toEqual(['<value> replies are truncated at 60 bytes.']);
    expect((await dbg(c, 'p', 't'))[0]).toHaveLength(64);
    expect(await dbg(c, 'maxlen', '0')).toEqual(['<value> replies are unlimited.']);
    expect((await dbg(c, 'p', 't'))[0]).toBe(`<value> {${Array(40).fill('"abcdefghij"').join('; ')}}`);
    await end(c, 'c', ':1\r\n');
  });

  it('stops after redis.breakpoint(), traces through functions, and aborts', async () => {
    const script = 'for i=1,2 do\n  local c = i\nend\nlocal function f(x)\n  return x + 1\nend\nlocal y = f(3)\nredis.breakpoint()\nlocal z = 5\nreturn y';
    const { c } = await session('sync', script);
    expect((await dbg(c, 's'))[0]).toBe('* Stopped at 2, stop reason = step over');
    expect((await dbg(c, 's'))[0]).toBe('* Stopped at 1, stop reason = step over');
    expect((await dbg(c, 's'))[0]).toBe('* Stopped at 2, stop reason = step over');
    expect((await dbg(c, 's'))[0]).toBe('* Stopped at 1, stop reason = step over');
    // A function statement is at the line of its `end`, as Lua numbers it.
    expect(await dbg(c, 's')).toEqual(['* Stopped at 6, stop reason = step over', '-> 6   end']);
    expect((await dbg(c, 's'))[0]).toBe('* Stopped at 7, stop reason = step over');
    expect(await dbg(c, 's')).toEqual(['* Stopped at 5, stop reason = step over', '-> 5     return x + 1']);
    expect(await dbg(c, 't')).toEqual(['In f:', '-> 5     return x + 1', 'From top level:', '   7   local y = f(3)']);
    expect(await dbg(c, 'p')).toEqual(['<value> x = 3']);
    expect(await dbg(c, 'p', 'c')).toEqual(['No such variable.']);
    expect(await dbg(c, 'c')).toEqual(['* Stopped at 9, stop reason = redis.breakpoint() called', '-> 9   local z = 5']);
    await end(c, 'a', /^-ERR script aborted for user request script: [0-9a-f]{40}, on @user_script:9\.\r\n$/);
  });

  it('ends with <endsession> before a compile error, and a request it cannot read ends the script', async () => {
    const c = await RawClient.connect(cli.sock);
    expect(await c.call('SCRIPT', 'DEBUG', 'sync')).toBe('+OK\r\n');
    const start = c.received.length;
    c.write(resp('EVAL', 'return +', '0'));
    expect(await c.replyAt(start, 2)).toMatch(/^\*1\r\n\+<endsession>\r\n-ERR Error compiling script \(new function\): user_script:1: /);
    expect(await c.waitClose()).toBe(true);
    const { c: d } = await session('sync', 'return 1');
    const at = d.received.length;
    d.write('*1\r\n$0\r\n\r\n');
    expect(await d.replyAt(at, 2)).toMatch(/^\*1\r\n\+<endsession>\r\n-ERR protocol error script: [0-9a-f]{40}, on @user_script:1\.\r\n$/);
  });

  it('YES: others get -BUSY while it waits, its writes are undone, SCRIPT KILL ends it', async () => {
    const o = await RawClient.connect(cli.sock);
    expect(await o.call('SET', 'dbg:keep', 'orig')).toBe('+OK\r\n');
    expect(await o.call('HSET', 'dbg:h', 'f', '1')).toBe(':1\r\n');
    expect(await o.call('DEL', 'dbg:new')).toMatch(/^:\d\r\n$/);
    const script = "redis.call('set','dbg:keep','changed')\nredis.call('set','dbg:new','x')\nredis.call('hset','dbg:h','f','2','g','3')\nredis.call('del','dbg:keep')\nreturn 1";
    const { c } = await session('yes', script);
    expect(await dbg(c, 's')).toEqual(['<redis> set dbg:keep changed', '<reply> "+OK"', '* Stopped at 2, stop reason = step over', "-> 2   redis.call('set','dbg:new','x')"]);
    expect(await o.call('GET', 'dbg:keep')).toBe('-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n');
    expect(await dbg(c, 'r', 'get', 'dbg:keep')).toEqual(['<redis> get dbg:keep', '<reply> "changed"']);
    await end(c, 'c', ':1\r\n');
    expect(await o.call('GET', 'dbg:keep')).toBe('$4\r\norig\r\n');
    expect(await o.call('EXISTS', 'dbg:new')).toBe(':0\r\n');
    expect(await o.call('HGETALL', 'dbg:h')).toBe('*2\r\n$1\r\nf\r\n$1\r\n1\r\n');
    expect(cli.output()).toMatch(/Lua debugging session ended: 3 keys restored/);

    const { c: k } = await session('yes', script);
    expect((await dbg(k, 's'))[0]).toBe('<redis> set dbg:keep changed');
    expect(await o.call('SCRIPT', 'KILL')).toBe('+OK\r\n');
    const got = await k.replyAt(k.received.length, 2);
    expect(got).toMatch(/^\*1\r\n\+<endsession>\r\n-ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:2\.\r\n$/);
    expect(await k.waitClose()).toBe(true);
    expect(await o.call('GET', 'dbg:keep')).toBe('$4\r\norig\r\n');

    // Its client leaving: the script runs to its end unstopped, and its writes are undone.
    const { c: gone } = await session('yes', script);
    gone.close();
    const after = await until(() => o.call('GET', 'dbg:keep'), (v) => !v.startsWith('-BUSY'));
    expect(after).toBe('$4\r\norig\r\n');
    expect(await o.call('EXISTS', 'dbg:new')).toBe(':0\r\n');
    o.close();
  });

  it('YES puts back databases the script flushed or swapped, deadlines included', async () => {
    const o = await RawClient.connect(cli.sock);
    expect(await o.call('SET', 'dbg:d0', 'zero', 'PX', '600000')).toBe('+OK\r\n');
    expect(await o.call('SELECT', '1')).toBe('+OK\r\n');
    expect(await o.call('RPUSH', 'dbg:d1', 'a', 'b')).toBe(':2\r\n');
    expect(await o.call('SELECT', '0')).toBe('+OK\r\n');
    const digest = await o.call('DEBUG', 'DIGEST');
    const { c } = await session('yes', "redis.call('swapdb', 0, 1)\nredis.call('set','dbg:d0','other')\nredis.call('flushall')\nredis.call('set','dbg:after','x')\nreturn 1");
    await end(c, 'c', ':1\r\n');
    expect(await o.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await o.call('GET', 'dbg:d0')).toBe('$4\r\nzero\r\n');
    expect(Number((await o.call('PTTL', 'dbg:d0')).slice(1))).toBeGreaterThan(500000);
    expect(await o.call('EXISTS', 'dbg:after')).toBe(':0\r\n');
    expect(await o.call('SELECT', '1')).toBe('+OK\r\n');
    expect(await o.call('LRANGE', 'dbg:d1', '0', '-1')).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    o.close();
  });

  it('YES during a background save: the file has the data as the save started, and so has the server after', async () => {
    const o = await RawClient.connect(cli.sock);
    expect(await o.call('FLUSHALL')).toBe('+OK\r\n');
    for (let i = 0; i < 200; i++) expect(await o.call('SET', `dbg:b${i}`, `v${i}`)).toBe('+OK\r\n');
    const digest = await o.call('DEBUG', 'DIGEST');
    expect(await o.call('CONFIG', 'SET', 'rdb-key-save-delay', '3000')).toBe('+OK\r\n');
    expect(await o.call('BGSAVE')).toBe('+Background saving started\r\n');
    const { c } = await session('yes', "redis.call('set','dbg:b0','x')\nredis.call('del','dbg:b150')\nredis.call('set','dbg:b199','y')\nredis.call('set','dbg:bnew','z')\nreturn 1");
    await end(c, 'c', ':1\r\n');
    expect(await o.call('DEBUG', 'DIGEST')).toBe(digest);
    for (let i = 0; i < 300 && (await o.call('INFO', 'persistence')).includes('rdb_bgsave_in_progress:1'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await o.call('CONFIG', 'SET', 'rdb-key-save-delay', '0')).toBe('+OK\r\n');
    expect(await o.call('DEBUG', 'RELOAD', 'NOSAVE')).toBe('+OK\r\n');
    expect(await o.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await o.call('FLUSHALL')).toBe('+OK\r\n');
    o.close();
  });

  it('YES propagates nothing to replicas; SYNC propagates what the script wrote', async () => {
    const replica = await RawClient.connect(cli.sock);
    opened.push(replica);
    expect(await replica.call('REPLCONF', 'capa', 'psync2')).toBe('+OK\r\n');
    const at = replica.received.length;
    replica.write(resp('PSYNC', '?', '-1'));
    const head = (await replica.waitMatch(/\+FULLRESYNC \S+ \d+\r\n\n*\$\d+\r\n/)).slice(at);
    const m = /^\+FULLRESYNC \S+ \d+\r\n\n*\$(\d+)\r\n/.exec(head)!;
    const streamStart = at + m[0].length + Number(m[1]);
    await replica.waitBytes(streamStart);
    replica.write(resp('REPLCONF', 'ACK', '0'));
    const y = await session('yes', "redis.call('set','dbg:yes','1')\nreturn 1");
    expect((await dbg(y.c, 's'))[0]).toBe('<redis> set dbg:yes 1');
    await end(y.c, 'c', ':1\r\n');
    const s2 = await session('sync', "redis.call('set','dbg:sync','1')\nreturn 1");
    await end(s2.c, 'c', ':1\r\n');
    const o = await RawClient.connect(cli.sock);
    expect(await o.call('PUBLISH', 'dbg:marker', 'end')).toBe(':0\r\n');
    const stream = (await replica.waitMatch(/dbg:marker/)).slice(streamStart);
    expect(stream).toContain('dbg:sync');
    expect(stream).not.toContain('dbg:yes');
    o.close();
  });

  it('SYNC: a client that leaves mid-session lets the script finish, keeps its writes, and the server serves others', async () => {
    const o = await RawClient.connect(cli.sock);
    expect(await o.call('DEL', 'dbg:s1', 'dbg:s2')).toMatch(/^:\d\r\n$/);
    const { c } = await session('sync', "redis.call('set','dbg:s1','a')\nredis.breakpoint()\nredis.call('set','dbg:s2','b')\nreturn 1");
    c.close();
    expect(await o.call('MGET', 'dbg:s1', 'dbg:s2')).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    expect(await o.call('PING')).toBe('+PONG\r\n');
    o.close();
  });

  it('stops a script that runs past the time limit without a stop', async () => {
    const { c } = await session('sync', 'local i = 0\nwhile true do\n  i = i + 1\nend');
    expect(await dbg(c, 'c')).toEqual(['* Stopped at 3, stop reason = timeout reached, infinite loop?', '-> 3     i = i + 1']);
    expect((await dbg(c, 'p'))[0]).toMatch(/^<value> i = \d/);
    await end(c, 'a', /^-ERR script aborted for user request script: [0-9a-f]{40}, on @user_script:3\.\r\n$/);
  });
});
