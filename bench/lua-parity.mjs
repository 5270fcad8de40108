#!/usr/bin/env node
// Evaluates Lua expressions with EVAL on respd and on a redis-server (--redis-port, default 6379)
// and prints every reply that differs: a quick check of the Lua environment's parity, beside the
// recorded test/scenarios/scripting.txt. Needs a running redis-server (apt-get install redis-server).
//   node bench/lua-parity.mjs [--redis-port N] ['expr' ...]
import { Redis } from 'ioredis';
import { createServer } from '../dist/index.js';

const argv = process.argv.slice(2);
const at = argv.indexOf('--redis-port');
const redisPort = at >= 0 ? Number(argv.splice(at, 2)[1]) : 6379;
const srv = await createServer({ port: 0 });
const a = new Redis({ port: srv.port });
const b = new Redis({ port: redisPort, lazyConnect: true, maxRetriesPerRequest: 0 });
try {
  await b.connect();
} catch {
  console.log(`no redis-server on port ${redisPort} (start one, or pass --redis-port)`);
  process.exit(0);
}
const exprs = argv.length ? argv : [
 "string.format('%5.2s|%-3d|%+d|% d|%x|%o|%e|%g|%G', 'abc', 5, 5, 5, 255, 8, 0.000123, 1e-5, 1e20)",
 "string.format('%q', '\\0\\1\\r\\n\\\\\"')", "string.format('%c%c', 65, 66)", "string.format('%10.3f|', -3.14159)", "string.format('%.0f %.0f %.0f', 0.5, 1.5, 2.5)",
 "tostring(1e300 * 1e10)", "tostring(-1e300 * 1e10)", "tostring(2^31)", "tostring(-2^63)", "tostring(123456789012)", "tostring(0.1 + 0.2)", "tostring(1/0 - 1/0)",
 "tonumber('  0x1F  ')", "tonumber('1e')", "tonumber('.5')", "tonumber('5.')", "tonumber('0x')", "tonumber('1 2')", "tonumber(nil)", "tonumber('10', 16)", "tonumber('ff', 16)", "tonumber('zz', 36)", "tonumber('8', 8)",
 "#'hello'", "#{1, 2, nil}", "#{nil, nil, 3}", "select('#')", "select(2, 'a')", "math.floor(-0.5)", "math.ceil(-0.5)", "math.max(1, 5, 3)", "math.min(2, -1)", "math.abs(-3)", "math.sqrt(16)", "math.pow(2, 10)", "math.fmod(7, -3)", "math.fmod(-7, 3)",
 "string.rep('ab', 3, ',')", "string.sub('hello', -3)", "string.sub('hello', 2, 100)", "string.sub('hello', 0)", "string.byte('')", "string.upper('aBc1')", "string.len('\\0\\0')",
 "string.find('abc', '')", "string.find('abc', '', 10)", "string.find('abc', 'b', -1)", "string.match('  trim  ', '^%s*(.-)%s*$')", "string.match('key=val', '(%w+)=(%w+)')", "string.gsub('abc', '', '-')", "string.gsub('hello world', 'o', {o='0'})", "string.gsub('abc', '(b)', '%1%1')", "string.gsub('a.b.c', '%.', '%%')",
 "string.match('2024-01-15', '(%d+)-(%d+)-(%d+)')", "string.find('a+b', '+', 1, true)", "string.match('[test]', '%[(.-)%]')", "string.gsub('THE (quick) fox', '%f[%a]%a+', function(w) return w:lower() end)", "string.match('abc123', '%a+%d+')",
 "table.concat({1, 2, 3}, ', ', 2, 3)", "table.concat({}, 'x')", "(function() local t = {5, 2, 8} table.sort(t, function(a, b) return a > b end) return table.concat(t, ' ') end)()", "table.remove({})", "table.insert({}, 1)",
 "next({})", "type(next)", "rawequal('a', 'a')", "rawlen", "unpack({1, 2, 3}, 2)", "unpack({1, 2, 3}, 2, 5)", "select(-2, 'a', 'b', 'c')",
 "cjson.encode({1, 2, {a = 1}})", "cjson.encode(1/3)", "cjson.encode(1e100)", "cjson.encode('\\127\\128\\255')", "cjson.decode('\"\\\\u00e9\"')", "cjson.decode('1e5')", "cjson.decode('[1,[2,[3]]]')[2][2][1]", "cjson.encode({[1] = 'a', [3] = 'c'})", "cjson.encode({[1] = 'a', [20] = 'c'})",
 "bit.band(-1, 0xffff)", "bit.rshift(-1, 28)", "bit.arshift(-16, 2)", "bit.tohex(-1)", "bit.tohex(255, -4)", "bit.bxor(0xaa, 0x55)", "bit.lshift(1, 31)", "bit.tobit(2^32 + 5)",
 "redis.sha1hex('abc')", "type(redis.call)", "redis.REDIS_VERSION_NUM > 0", "(function() local ok, e = pcall(error) return tostring(e) end)()", "(function() local ok, e = pcall(error, nil) return tostring(e) end)()",
 "(function() local ok, e = pcall(error, {x=1}) return type(e) end)()", "(function() local ok, e = pcall(string.rep) return e end)()", "(function() local ok, e = pcall(function() local x = nil; return x() end) return e end)()",
 "(function() local ok, e = pcall(function() return {} < {} end) return e end)()", "(function() local ok, e = pcall(function() return #5 end) return e end)()", "(function() local ok, e = pcall(function() local t = {} t[nil] = 1 end) return e end)()",
 "(function() local ok, e = pcall(function() return ('x')..{} end) return e end)()", "(function() local ok, e = pcall(function() return -{} end) return e end)()", "(function() local ok, e = pcall(function() undefinedvar = 1 end) return e end)()",
 "(function() local t = setmetatable({}, {__tostring = function() return 'T!' end}) return tostring(t) end)()", "(function() local t = setmetatable({}, {__call = function(self, x) return x * 2 end}) return t(21) end)()",
 "(function() local t = setmetatable({}, {__add = function(a, b) return 42 end}) return t + 1 end)()", "(function() local t = setmetatable({}, {__len = function() return 9 end}) return #t end)()",
 "(function() local t = setmetatable({}, {__eq = function() return true end}) local u = setmetatable({}, getmetatable(t)) return t == u end)()", "(function() local mt = {__metatable = 'locked'} local t = setmetatable({}, mt) return getmetatable(t) end)()",
 "(function() local t = {} for i = 1, 10 do t[i] = i end for i = 1, 10, 2 do t[i] = nil end local n = 0 for k in pairs(t) do n = n + 1 end return n end)()",
 "(function() local s = 0 for i = 10, 1 do s = s + 1 end return s end)()", "(function() local s = 0 for i = 1, 3, 0.5 do s = s + i end return s end)()", "(function() local s = '' for i = 3, 1, -1 do s = s .. i end return s end)()",
 "(function() local a, b, c = 1 return tostring(b) .. tostring(c) end)()", "(function() local function f() return 1, 2, 3 end local t = {f(), f()} return #t end)()", "(function() local function f() return 1, 2, 3 end return select('#', f(), f()) end)()",
 "(function() local x = 10 local function g() x = x + 1 return x end g() return g() end)()", "(function() local t = {} t.a = {} t.a.b = 5 return t.a.b end)()", "(function() goto_ = 1 end)()",
 "('%d'):format(3)", "('abc'):len()", "('x'):rep(3)", "#arg", "type(os)", "type(os.clock())", "type(getfenv)", "type(setfenv)", "type(loadstring)", "type(coroutine)", "type(newproxy)", "type(gcinfo())", "collectgarbage('count') >= 0", "_VERSION",
]
let diffs = 0;
for (const e of exprs) {
  const s = `return ${e}`;
  const ra = await a.eval(s, 0).then(v => JSON.stringify(v), err => 'E:' + err.message.replace(/script: [0-9a-f]+/, 'script: X'));
  const rb = await b.eval(s, 0).then(v => JSON.stringify(v), err => 'E:' + err.message.replace(/script: [0-9a-f]+/, 'script: X'));
  if (ra !== rb) { diffs++; console.log(`## ${e}\n   redis: ${rb}\n   respd: ${ra}`); }
}
console.log(`${diffs} of ${exprs.length} differ`);
a.disconnect(); b.disconnect(); await srv.close(); process.exit(0);
