// COMMAND DOCS byte for byte, as redis-server 7.2.6 answers it (addReplyCommandDocs,
// addReplyCommandArgList): the expected replies are transcribed from 7.2.6's src/commands/*.json in
// the order Redis writes the fields. GET's bytes are the ones Debian's 7.0.15 replies with 7.2's
// summary and display_text (the field 7.2 added) put in; with data generated from 7.0.15's json
// instead, respd's every argument list matched that server's.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RawClient, replyEnd, startServer } from './helpers.js';

const server = await startServer();
const client = await RawClient.connect(server.port);
const resp3 = await RawClient.connect(server.port);
await resp3.call('HELLO', '3');

/** A reply as Redis builds it: bulk strings, integers, arrays, maps, sets of status strings (flags), sets of pairs (history). */
type V = string | number | V[] | { map: [string, V][] } | { flags: string[] } | { pairs: [string, string][] };

function enc(v: V, proto: 2 | 3): string {
  if (typeof v === 'string') return `$${Buffer.byteLength(v)}\r\n${v}\r\n`;
  if (typeof v === 'number') return `:${v}\r\n`;
  if (Array.isArray(v)) return `*${v.length}\r\n` + v.map((x) => enc(x, proto)).join('');
  if ('flags' in v) return `${proto === 3 ? '~' : '*'}${v.flags.length}\r\n` + v.flags.map((f) => `+${f}\r\n`).join('');
  if ('pairs' in v) return `${proto === 3 ? '~' : '*'}${v.pairs.length}\r\n` + v.pairs.map((p) => enc(p, proto)).join('');
  return (proto === 3 ? `%${v.map.length}\r\n` : `*${v.map.length * 2}\r\n`) + v.map.map(([k, x]) => enc(k, 2) + enc(x, proto)).join('');
}

interface ArgOpts { display?: string; key?: number; token?: string; since?: string; deprecated?: string; flags?: string[]; args?: V[] }

/** One argument map: name, type, display_text (not on oneof/block), key_spec_index, token, since, deprecated_since, flags, arguments. */
function arg(name: string, type: string, o: ArgOpts = {}): V {
  const m: [string, V][] = [['name', name], ['type', type]];
  if (type !== 'oneof' && type !== 'block') m.push(['display_text', o.display ?? name]);
  if (o.key !== undefined) m.push(['key_spec_index', o.key]);
  if (o.token !== undefined) m.push(['token', o.token]);
  if (o.since !== undefined) m.push(['since', o.since]);
  if (o.deprecated !== undefined) m.push(['deprecated_since', o.deprecated]);
  if (o.flags) m.push(['flags', { flags: o.flags }]);
  if (o.args) m.push(['arguments', o.args]);
  return { map: m };
}
const token = (name: string, tok: string, o: ArgOpts = {}) => arg(name, 'pure-token', { token: tok, ...o });
const OPT = ['optional'];

/** A command's docs map with its fields in addReplyCommandDocs's order. */
function docs(f: {
  summary: string; since: string; group: string; complexity?: string; docFlags?: string[]; deprecated?: string; replacedBy?: string;
  history?: [string, string][]; args?: V[]; subcommands?: [string, V][];
}): V {
  const m: [string, V][] = [['summary', f.summary], ['since', f.since], ['group', f.group]];
  if (f.complexity) m.push(['complexity', f.complexity]);
  if (f.docFlags) m.push(['doc_flags', { flags: f.docFlags }]);
  if (f.deprecated) m.push(['deprecated_since', f.deprecated]);
  if (f.replacedBy) m.push(['replaced_by', f.replacedBy]);
  if (f.history) m.push(['history', { pairs: f.history }]);
  if (f.args) m.push(['arguments', f.args]);
  if (f.subcommands) m.push(['subcommands', { map: f.subcommands }]);
  return { map: m };
}

/** The whole COMMAND DOCS reply for these commands. */
function reply(proto: 2 | 3, ...cmds: [string, V][]): string {
  return (proto === 3 ? `%${cmds.length}\r\n` : `*${cmds.length * 2}\r\n`) + cmds.map(([n, d]) => enc(n, 2) + enc(d, proto)).join('');
}

const GET = docs({
  summary: 'Returns the string value of a key.', since: '1.0.0', group: 'string', complexity: 'O(1)',
  args: [arg('key', 'key', { key: 0 })],
});

const SET = docs({
  summary: 'Sets the string value of a key, ignoring its type. The key is created if it doesn\'t exist.', since: '1.0.0', group: 'string', complexity: 'O(1)',
  history: [
    ['2.6.12', 'Added the `EX`, `PX`, `NX` and `XX` options.'],
    ['6.0.0', 'Added the `KEEPTTL` option.'],
    ['6.2.0', 'Added the `GET`, `EXAT` and `PXAT` option.'],
    ['7.0.0', 'Allowed the `NX` and `GET` options to be used together.'],
  ],
  args: [
    arg('key', 'key', { key: 0 }),
    arg('value', 'string'),
    arg('condition', 'oneof', { since: '2.6.12', flags: OPT, args: [token('nx', 'NX'), token('xx', 'XX')] }),
    token('get', 'GET', { since: '6.2.0', flags: OPT }),
    arg('expiration', 'oneof', {
      flags: OPT,
      args: [
        arg('seconds', 'integer', { token: 'EX', since: '2.6.12' }),
        arg('milliseconds', 'integer', { token: 'PX', since: '2.6.12' }),
        arg('unix-time-seconds', 'unix-time', { token: 'EXAT', since: '6.2.0' }),
        arg('unix-time-milliseconds', 'unix-time', { token: 'PXAT', since: '6.2.0' }),
        token('keepttl', 'KEEPTTL', { since: '6.0.0' }),
      ],
    }),
  ],
});

const SETNX = docs({
  summary: 'Set the string value of a key only when the key doesn\'t exist.', since: '1.0.0', group: 'string', complexity: 'O(1)',
  docFlags: ['deprecated'], deprecated: '2.6.12', replacedBy: '`SET` with the `NX` argument',
  args: [arg('key', 'key', { key: 0 }), arg('value', 'string')],
});

const CONFIG_GET = docs({
  summary: 'Returns the effective values of configuration parameters.', since: '2.0.0', group: 'server',
  complexity: 'O(N) when N is the number of configuration parameters provided',
  history: [['7.0.0', 'Added the ability to pass multiple pattern parameters in one call']],
  args: [arg('parameter', 'string', { flags: ['multiple'] })],
});

/** Sends COMMAND DOCS on a connection and returns its whole reply. */
const call = (c: RawClient, ...names: string[]) => c.call('COMMAND', 'DOCS', ...names);

describe('COMMAND DOCS', () => {
  it('GET: the argument list with display_text', async () => {
    expect(await call(client, 'get')).toBe(
      '*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$34\r\nReturns the string value of a key.\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n' +
      '$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n' +
      '*8\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$12\r\ndisplay_text\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n');
    expect(await call(client, 'get')).toBe(reply(2, ['get', GET]));
  });

  it('SET: history, oneof blocks without display_text, tokens, since and optional flags', async () => {
    expect(await call(client, 'SET')).toBe(reply(2, ['set', SET]));
  });

  it('ZADD and XADD: nested blocks, multiple, tokens that are not words', async () => {
    const ZADD = docs({
      summary: 'Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn\'t exist.', since: '1.2.0', group: 'sorted-set',
      complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
      history: [['2.4.0', 'Accepts multiple elements.'], ['3.0.2', 'Added the `XX`, `NX`, `CH` and `INCR` options.'], ['6.2.0', 'Added the `GT` and `LT` options.']],
      args: [
        arg('key', 'key', { key: 0 }),
        arg('condition', 'oneof', { since: '3.0.2', flags: OPT, args: [token('nx', 'NX'), token('xx', 'XX')] }),
        arg('comparison', 'oneof', { since: '6.2.0', flags: OPT, args: [token('gt', 'GT'), token('lt', 'LT')] }),
        token('change', 'CH', { since: '3.0.2', flags: OPT }),
        token('increment', 'INCR', { since: '3.0.2', flags: OPT }),
        arg('data', 'block', { flags: ['multiple'], args: [arg('score', 'double'), arg('member', 'string')] }),
      ],
    });
    const XADD = docs({
      summary: 'Appends a new message to a stream. Creates the key if it doesn\'t exist.', since: '5.0.0', group: 'stream',
      complexity: 'O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.',
      history: [['6.2.0', 'Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option.'], ['7.0.0', 'Added support for the `<ms>-*` explicit ID form.']],
      args: [
        arg('key', 'key', { key: 0 }),
        token('nomkstream', 'NOMKSTREAM', { since: '6.2.0', flags: OPT }),
        arg('trim', 'block', {
          flags: OPT,
          args: [
            arg('strategy', 'oneof', { args: [token('maxlen', 'MAXLEN'), token('minid', 'MINID', { since: '6.2.0' })] }),
            arg('operator', 'oneof', { flags: OPT, args: [token('equal', '='), token('approximately', '~')] }),
            arg('threshold', 'string'),
            arg('count', 'integer', { token: 'LIMIT', since: '6.2.0', flags: OPT }),
          ],
        }),
        arg('id-selector', 'oneof', { args: [token('auto-id', '*'), arg('id', 'string')] }),
        arg('data', 'block', { flags: ['multiple'], args: [arg('field', 'string'), arg('value', 'string')] }),
      ],
    });
    expect(await call(client, 'zadd', 'XADD')).toBe(reply(2, ['zadd', ZADD], ['xadd', XADD]));
  });

  it('CLIENT KILL: the deprecated old format (deprecated_since, display_text ip:port) beside the multiple new one', async () => {
    const kill = docs({
      summary: 'Terminates open connections.', since: '2.4.0', group: 'connection', complexity: 'O(N) where N is the number of client connections',
      history: [
        ['2.8.12', 'Added new filter format.'], ['2.8.12', '`ID` option.'], ['3.2.0', 'Added `master` type in for `TYPE` option.'],
        ['5.0.0', 'Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility.'], ['6.2.0', '`LADDR` option.'],
      ],
      args: [arg('filter', 'oneof', {
        args: [
          arg('old-format', 'string', { display: 'ip:port', deprecated: '2.8.12' }),
          arg('new-format', 'oneof', {
            flags: ['multiple'],
            args: [
              arg('client-id', 'integer', { token: 'ID', since: '2.8.12', flags: OPT }),
              arg('client-type', 'oneof', {
                token: 'TYPE', since: '2.8.12', flags: OPT,
                args: [token('normal', 'NORMAL'), token('master', 'MASTER', { since: '3.2.0' }), token('slave', 'SLAVE'), token('replica', 'REPLICA', { since: '5.0.0' }), token('pubsub', 'PUBSUB')],
              }),
              arg('username', 'string', { token: 'USER', flags: OPT }),
              arg('addr', 'string', { display: 'ip:port', token: 'ADDR', flags: OPT }),
              arg('laddr', 'string', { display: 'ip:port', token: 'LADDR', since: '6.2.0', flags: OPT }),
              arg('skipme', 'oneof', { token: 'SKIPME', flags: OPT, args: [token('yes', 'YES'), token('no', 'NO')] }),
            ],
          }),
        ],
      })],
    });
    expect(await call(client, 'client|kill')).toBe(reply(2, ['client|kill', kill]));
  });

  it('SETNX: doc_flags, deprecated_since and replaced_by', async () => {
    expect(await call(client, 'setnx')).toBe(reply(2, ['setnx', SETNX]));
  });

  it('a subcommand by its full name, and inside its container', async () => {
    expect(await call(client, 'CONFIG|GET')).toBe(reply(2, ['config|get', CONFIG_GET]));
    const config = await call(client, 'config');
    expect(config).toContain(enc('config|get', 2) + enc(CONFIG_GET, 2));
    expect(config.startsWith('*2\r\n$6\r\nconfig\r\n*10\r\n$7\r\nsummary\r\n')).toBe(true);
  });

  it('RESP3: maps, and sets for flags, doc_flags and history', async () => {
    expect(await call(resp3, 'get', 'set', 'setnx')).toBe(reply(3, ['get', GET], ['set', SET], ['setnx', SETNX]));
    expect(await call(resp3, 'config|get')).toBe(reply(3, ['config|get', CONFIG_GET]));
  });

  it('skips names it does not know, as Redis does', async () => {
    expect(await call(client, 'nosuch', 'get', 'config|nosuch')).toBe(reply(2, ['get', GET]));
    expect(await call(client, 'nosuch')).toBe('*0\r\n');
    expect(await call(resp3, 'nosuch')).toBe('%0\r\n');
  });

  it('without names: every command, each as it answers alone', async () => {
    const all = await call(client);
    const count = Number((await client.call('COMMAND', 'COUNT')).slice(1, -2));
    expect(all.startsWith(`*${count * 2}\r\n`)).toBe(true);
    expect(replyEnd(all, 0)).toBe(all.length);
    expect(all).toContain(enc('get', 2) + enc(GET, 2));
    expect(all).toContain(enc('set', 2) + enc(SET, 2));
    // Every command respd has is in 7.2.6's json, so every one but the argument-less lists arguments.
    expect(all.split('$9\r\narguments\r\n').length).toBeGreaterThan(count);
  });
});

describe('the generated data', () => {
  it('ships with the package, beside dist/ (read as ../../data from src/commands and dist/commands alike)', () => {
    const root = resolve(import.meta.dirname, '..');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('data');
    expect(existsSync(join(root, 'data', 'command-docs.json'))).toBe(true);
  });
});
