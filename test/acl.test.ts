// ACL users end to end, byte for byte over raw sockets: ACL SETUSER rules and their errors,
// LIST/GETUSER/USERS/CAT, AUTH as a user, -NOPERM for commands, keys and channels, DELUSER
// closing the user's connections, the ACL log and file; plus the Acl built from a configuration.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Acl } from '../src/acl/acl.js';
import { buildCommandTable } from '../src/commands/index.js';
import { Config } from '../src/config/config.js';
import { Args } from '../src/engine/args.js';
import { bulk, bulks, expectReply, RawClient, resp, startServer } from './helpers.js';

const server = await startServer();

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** A new raw connection to the shared server. */
const connect = () => RawClient.connect(server.port);

/** Sends a command and waits until what arrives after it matches `re`; returns that part. */
async function replyMatching(c: RawClient, re: RegExp, ...args: string[]): Promise<string> {
  const start = c.received.length;
  c.write(resp(...args));
  while (!re.test(c.received.slice(start)) && !c.closed) await c.waitBytes(c.received.length + 1, 2000);
  return c.received.slice(start);
}

const admin = await connect();
const ok = (...args: string[]) => expectReply(admin, '+OK\r\n', ...args);

/** GETUSER's reply in RESP2 for a user without selectors. */
function getuser2(flags: string[], passwords: string[], commands: string, keys: string, channels: string): string {
  return (
    '*12\r\n' + bulk('flags') + bulks(...flags) + bulk('passwords') + bulks(...passwords) +
    bulk('commands') + bulk(commands) + bulk('keys') + bulk(keys) + bulk('channels') + bulk(channels) +
    bulk('selectors') + '*0\r\n'
  );
}

describe('ACL SETUSER', () => {
  const err = (s: string) => `-ERR ${s}\r\n`;
  const modifier = (op: string, why: string) => err(`Error in ACL SETUSER modifier '${op}': ${why}`);
  it('refuses bad rules with Redis texts, changing nothing', async () => {
    const cases: [string[], string][] = [
      [['foo'], modifier('foo', 'Syntax error')],
      [['+nosuch'], modifier('+nosuch', 'Unknown command or category name in ACL')],
      [['+@nosuch'], modifier('+@nosuch', 'Unknown command or category name in ACL')],
      [['-get|foo'], modifier('-get|foo', 'Unknown command or category name in ACL')],
      [['-config|get|x'], modifier('-config|get|x', 'Unknown command or category name in ACL')],
      [['+config|get|x'], modifier('+config|get|x', 'Allowing first-arg of a subcommand is not supported')],
      [['+get|'], modifier('+get|', 'Syntax error')],
      [['~*', '~a'], modifier('~a', "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns")],
      [['&*', '&a'], modifier('&a', "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels")],
      [['<nopw'], modifier('<nopw', 'The password you are trying to remove from the user does not exist')],
      [['#abc'], modifier('#abc', 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters')],
      [['!abc'], modifier('!abc', 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters')],
      [['~a b'], modifier('~a b', 'Syntax error')],
      [['%X~a'], modifier('%X~a', 'Syntax error')],
      [['%~a'], modifier('%~a', 'Syntax error')],
      [['%RR~a'], modifier('%RR~a', 'Syntax error')],
      [['"(~a'], modifier('"(~a', 'Syntax error')],
      [['(~a'], err("Unmatched parenthesis in acl selector starting at '(~a'.")],
      [['(~a', '+get'], err("Unmatched parenthesis in acl selector starting at '(~a'.")],
      [['(', ')', '('], err("Unmatched parenthesis in acl selector starting at '('.")],
      [['on', '>pw', 'bogus'], modifier('bogus', 'Syntax error')],
    ];
    for (const [rules, expected] of cases) await expectReply(admin, expected, 'ACL', 'SETUSER', 'bad', ...rules);
    await expectReply(admin, err("Usernames can't contain spaces or null characters"), 'ACL', 'SETUSER', 'a b');
    await expectReply(admin, '$-1\r\n', 'ACL', 'GETUSER', 'bad');
  });

  it('creates users off, with no commands, keys or channels; reset adds sanitize-payload', async () => {
    await ok('ACL', 'SETUSER', 'fresh');
    await expectReply(admin, getuser2(['off'], [], '-@all', '', ''), 'ACL', 'GETUSER', 'fresh');
    await ok('ACL', 'SETUSER', 'wasreset', 'on', '>x', '~*', '+@all', 'reset');
    await expectReply(admin, getuser2(['off', 'sanitize-payload'], [], '-@all', '', ''), 'ACL', 'GETUSER', 'wasreset');
    await ok('ACL', 'SETUSER', 'empty', '');
    await ok('ACL', 'SETUSER', 'skip', 'skip-sanitize-payload');
    await expectReply(admin, getuser2(['off', 'skip-sanitize-payload'], [], '-@all', '', ''), 'ACL', 'GETUSER', 'skip');
  });

  it('passwords: > adds once, < and ! remove, # takes a hash, nopass and resetpass clear', async () => {
    const zero = '0'.repeat(64);
    await ok('ACL', 'SETUSER', 'pw', 'on', '>x', '>x', '>y', '<y', '#' + zero, '!' + zero);
    await expectReply(admin, getuser2(['on'], [sha('x')], '-@all', '', ''), 'ACL', 'GETUSER', 'pw');
    await ok('ACL', 'SETUSER', 'pw', 'nopass');
    await expectReply(admin, getuser2(['on', 'nopass'], [], '-@all', '', ''), 'ACL', 'GETUSER', 'pw');
    await ok('ACL', 'SETUSER', 'pw', '>z', 'resetpass');
    await expectReply(admin, getuser2(['on'], [], '-@all', '', ''), 'ACL', 'GETUSER', 'pw');
  });

  it('key and channel patterns: duplicates merge, %R/%W flags combine', async () => {
    await ok('ACL', 'SETUSER', 'pat', '~a', '~a', '%R~a', '%W~b', '%RW~c', '%WR~d', '%R~e', '%W~');
    await expectReply(admin, getuser2(['off'], [], '-@all', '~a %W~b ~c ~d %R~e %W~', ''), 'ACL', 'GETUSER', 'pat');
    await ok('ACL', 'SETUSER', 'pat', 'resetkeys', 'allkeys', '&a', '&a', '&b');
    await expectReply(admin, getuser2(['off'], [], '-@all', '~*', '&a &b'), 'ACL', 'GETUSER', 'pat');
    await ok('ACL', 'SETUSER', 'pat', 'allchannels');
    await expectReply(admin, getuser2(['off'], [], '-@all', '~*', '&*'), 'ACL', 'GETUSER', 'pat');
  });

  it('selectors: one rule or spread over arguments; clearselectors drops them', async () => {
    await ok('ACL', 'SETUSER', 'sel', 'on', 'nopass', '~*', '+@all', '(~a +get &c)', '(%R~b*', '+@read)');
    const sel = (commands: string, keys: string, channels: string) =>
      '*6\r\n' + bulk('commands') + bulk(commands) + bulk('keys') + bulk(keys) + bulk('channels') + bulk(channels);
    const head = '*12\r\n' + bulk('flags') + bulks('on', 'nopass') + bulk('passwords') + '*0\r\n' +
      bulk('commands') + bulk('+@all') + bulk('keys') + bulk('~*') + bulk('channels') + bulk('') + bulk('selectors');
    await expectReply(admin, head + '*2\r\n' + sel('-@all +get', '~a', '&c') + sel('-@all +@read', '%R~b*', ''), 'ACL', 'GETUSER', 'sel');
    await ok('ACL', 'SETUSER', 'sel', 'clearselectors');
    await expectReply(admin, head + '*0\r\n', 'ACL', 'GETUSER', 'sel');
  });

  it('keeps command rules in the order given, compacting repeats (Redis 7.2)', async () => {
    const commands = async (...rules: string[]) => {
      await ok('ACL', 'SETUSER', 'order', ...rules);
      const r = await replyMatching(admin, /selectors\r\n\*0\r\n$/, 'ACL', 'GETUSER', 'order');
      return /\$8\r\ncommands\r\n\$\d+\r\n([^\r]*)\r\n/.exec(r)?.[1];
    };
    expect(await commands('+@all', '-@string', '-@slow', '+get')).toBe('+@all -@string -@slow +get');
    expect(await commands('-@string')).toBe('+@all -@slow +get -@string');
    expect(await commands('+@string')).toBe('+@all -@slow +get +@string');
    expect(await commands('-@all')).toBe('-@all');
    expect(await commands('-@string', '-@slow', '+@all')).toBe('+@all');
    expect(await commands('-@all', '+@STRING', '+@string', '+@StRiNg')).toBe('-@all +@string');
    expect(await commands('-@all', '+GET', '+get', '+gEt')).toBe('-@all +get');
    expect(await commands('-@all', '+get', '-set', '+set', '-get')).toBe('-@all +set -get');
    expect(await commands('-@all', '+client|list', '+client|list', '+config|get', '+config', '+acl|list', '-acl')).toBe('-@all +client|list +config -acl');
    expect(await commands('-@all', '+select|0', '+select|0')).toBe('-@all +select|0');
    expect(await commands('-@all', '-@dangerous')).toBe('-@all -@dangerous');
    expect(await commands('-@all', '+config', '+config|get', '-config|set', '+config')).toBe('-@all +config');
  });
});

describe('ACL LIST, USERS, WHOAMI, CAT, HELP', () => {
  it('LIST describes every user in config-file form, sorted by name', async () => {
    const h = await startServer();
    const c = await RawClient.connect(h.port);
    await expectReply(c, bulks('user default on nopass ~* &* +@all'), 'ACL', 'LIST');
    await expectReply(c, '+OK\r\n', 'ACL', 'SETUSER', 'x', 'on', '>p1', '>p2', '~a*', '%R~b*', '%W~c*', '&ch*', '-@all', '+get', '+config|get');
    await expectReply(c, '+OK\r\n', 'ACL', 'SETUSER', 'bar', 'reset');
    await expectReply(c, '+OK\r\n', 'ACL', 'SETUSER', 'v', 'on', 'nopass', '(+get ~x)', '(%RW~y +@read -@all +set +select|1)');
    await expectReply(c, bulks(
      'user bar off sanitize-payload resetchannels -@all',
      'user default on nopass ~* &* +@all',
      'user v on nopass resetchannels -@all (~x resetchannels -@all +get) (~y resetchannels -@all +set +select|1)',
      `user x on #${sha('p1')} #${sha('p2')} ~a* %R~b* %W~c* resetchannels &ch* -@all +get +config|get`,
    ), 'ACL', 'LIST');
    await expectReply(c, bulks('bar', 'default', 'v', 'x'), 'ACL', 'USERS');
    await expectReply(c, ':2\r\n', 'ACL', 'DELUSER', 'bar', 'v', 'nobody');
    await expectReply(c, bulks('default', 'x'), 'ACL', 'USERS');
    await expectReply(c, bulk('default'), 'ACL', 'WHOAMI');
    c.close();
  });

  it('GETUSER in RESP3: a map, flags as a set, null for no such user', async () => {
    const c = await connect();
    await c.exchange(resp('HELLO', '3'), 1);
    await c.waitMatch(/modules\r\n\*0\r\n$/);
    await expectReply(c, '%6\r\n' + bulk('flags') + '~2\r\n' + bulk('on') + bulk('nopass') + bulk('passwords') + '*0\r\n' +
      bulk('commands') + bulk('+@all') + bulk('keys') + bulk('~*') + bulk('channels') + bulk('&*') + bulk('selectors') + '*0\r\n',
    'ACL', 'GETUSER', 'default');
    await expectReply(c, '_\r\n', 'ACL', 'GETUSER', 'nosuchuser');
    c.close();
  });

  it('CAT lists the 21 categories, or the commands of one', async () => {
    await expectReply(admin, bulks('keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap',
      'hyperloglog', 'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection',
      'transaction', 'scripting'), 'ACL', 'CAT');
    const got = await replyMatching(admin, /^\*(\d+)\r\n(\$\d+\r\n[a-z|]+\r\n)+$/, 'ACL', 'CAT', 'STRING');
    const names = got.split('\r\n').filter((_, i) => i > 0 && i % 2 === 0);
    expect(names.length).toBe(Number(got.slice(1, got.indexOf('\r'))));
    for (const name of ['get', 'set', 'incr', 'mset', 'mget']) expect(names).toContain(name);
    expect(names).not.toContain('ping');
    await expectReply(admin, "-ERR Unknown category 'nosuch'\r\n", 'ACL', 'CAT', 'nosuch');
    await expectReply(admin, "-ERR unknown subcommand or wrong number of arguments for 'CAT'. Try ACL HELP.\r\n", 'ACL', 'CAT', 'a', 'b');
  });

  it('HELP, and the dispatcher errors for the container', async () => {
    const help = [
      'ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', 'CAT [<category>]',
      '    List all commands that belong to <category>, or all command categories', '    when no category is specified.',
      'DELUSER <username> [<username> ...]', '    Delete a list of users.', 'DRYRUN <username> <command> [<arg> ...]',
      '    Returns whether the user can execute the given command without executing the command.',
      'GETUSER <username>', "    Get the user's details.", 'GENPASS [<bits>]',
      '    Generate a secure 256-bit user password. The optional `bits` argument can',
      '    be used to specify a different size.', 'LIST', '    Show users details in config file format.', 'LOAD',
      '    Reload users from the ACL file.', 'LOG [<count> | RESET]', '    Show the ACL log entries.', 'SAVE',
      '    Save the current config to the ACL file.', 'SETUSER <username> <attribute> [<attribute> ...]',
      '    Create or modify a user with the specified attributes.', 'USERS', '    List all the registered usernames.',
      'WHOAMI', '    Return the current connection username.', 'HELP', '    Print this help.',
    ];
    await expectReply(admin, `*${help.length}\r\n${help.map((l) => `+${l}\r\n`).join('')}`, 'ACL', 'HELP');
    await expectReply(admin, "-ERR wrong number of arguments for 'acl' command\r\n", 'ACL');
    await expectReply(admin, "-ERR unknown subcommand 'FOO'. Try ACL HELP.\r\n", 'ACL', 'FOO');
    await expectReply(admin, "-ERR wrong number of arguments for 'acl|setuser' command\r\n", 'ACL', 'SETUSER');
    await expectReply(admin, "-ERR wrong number of arguments for 'acl|whoami' command\r\n", 'ACL', 'WHOAMI', 'x');
  });

  it('GENPASS: 256 bits by default, rounded up to hex digits, bounded', async () => {
    const pass = await admin.exchange(resp('ACL', 'GENPASS'), 71);
    expect(pass).toMatch(/^\$64\r\n[0-9a-f]{64}\r\n$/);
    expect(await admin.exchange(resp('ACL', 'GENPASS', '5'), 8)).toMatch(/^\$2\r\n[0-9a-f]{2}\r\n$/);
    const bad = '-ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096\r\n';
    await expectReply(admin, bad, 'ACL', 'GENPASS', '0');
    await expectReply(admin, bad, 'ACL', 'GENPASS', '4097');
    await expectReply(admin, '-ERR value is not an integer or out of range\r\n', 'ACL', 'GENPASS', 'x');
  });
});

describe('AUTH and HELLO AUTH as an ACL user', () => {
  it('logs in with any of the passwords; WRONGPASS otherwise; WHOAMI follows', async () => {
    await ok('ACL', 'SETUSER', 'alice', 'on', '>pw1', '>pw2', '~*', '+@all');
    const c = await connect();
    const wrong = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';
    await expectReply(c, wrong, 'AUTH', 'alice', 'nope');
    await expectReply(c, wrong, 'AUTH', 'nobody', 'pw1');
    await expectReply(c, '+OK\r\n', 'AUTH', 'alice', 'pw2');
    await expectReply(c, bulk('alice'), 'ACL', 'WHOAMI');
    await expectReply(c, '+OK\r\n', 'AUTH', 'alice', 'pw1');
    await ok('ACL', 'SETUSER', 'alice', 'off');
    await expectReply(c, wrong, 'AUTH', 'alice', 'pw1');
    await expectReply(c, bulk('alice'), 'ACL', 'WHOAMI'); // an off user's open connections keep working
    c.close();
  });

  it('HELLO AUTH switches user and protocol at once', async () => {
    await ok('ACL', 'SETUSER', 'helloer', 'on', 'nopass', '+@all', '~*');
    const c = await connect();
    await c.exchange(resp('HELLO', '3', 'AUTH', 'helloer', 'anything'), 1);
    await c.waitMatch(/modules\r\n\*0\r\n$/);
    await expectReply(c, bulk('helloer'), 'ACL', 'WHOAMI');
    c.close();
  });
});

describe('-NOPERM', () => {
  it('for commands, keys and channels, as Redis 7.2 words them', async () => {
    await ok('ACL', 'SETUSER', 'bob', 'on', '>pw', '~k*', '&ch*', '-@all', '+get', '+set', '+mget', '+publish', '+psubscribe', '+acl|whoami');
    const c = await connect();
    await expectReply(c, '+OK\r\n', 'AUTH', 'bob', 'pw');
    await expectReply(c, '$-1\r\n', 'GET', 'k1');
    await expectReply(c, '-NOPERM No permissions to access a key\r\n', 'GET', 'x');
    await expectReply(c, '-NOPERM No permissions to access a key\r\n', 'MGET', 'k1', 'x', 'k2');
    await expectReply(c, "-NOPERM User bob has no permissions to run the 'incr' command\r\n", 'INCR', 'k1');
    await expectReply(c, "-NOPERM User bob has no permissions to run the 'acl|list' command\r\n", 'ACL', 'LIST');
    await expectReply(c, "-NOPERM User bob has no permissions to run the 'config|get' command\r\n", 'CONFIG', 'GET', 'x');
    await expectReply(c, ':0\r\n', 'PUBLISH', 'ch1', 'm');
    await expectReply(c, '-NOPERM No permissions to access a channel\r\n', 'PUBLISH', 'other', 'm');
    // A PSUBSCRIBE pattern must be one of the user's patterns literally.
    await expectReply(c, '-NOPERM No permissions to access a channel\r\n', 'PSUBSCRIBE', 'ch1*');
    await expectReply(c, '*3\r\n' + bulk('psubscribe') + bulk('ch*') + ':1\r\n', 'PSUBSCRIBE', 'ch*');
    c.close();
  });

  it('%R~ and %W~ patterns follow the key specs (SET without GET only writes)', async () => {
    await ok('ACL', 'SETUSER', 'rw', 'on', 'nopass', '%R~r*', '%W~w*', '+@all');
    const c = await connect();
    await expectReply(c, '+OK\r\n', 'AUTH', 'rw', 'x');
    await expectReply(c, '$-1\r\n', 'GET', 'r1');
    await expectReply(c, '-NOPERM No permissions to access a key\r\n', 'GET', 'w1');
    await expectReply(c, '+OK\r\n', 'SET', 'w1', 'v');
    await expectReply(c, '-NOPERM No permissions to access a key\r\n', 'SET', 'w1', 'v', 'GET');
    await expectReply(c, '-NOPERM No permissions to access a key\r\n', 'SET', 'r1', 'v');
    await expectReply(c, '-NOPERM No permissions to access a key\r\n', 'INCR', 'w1');
    c.close();
  });

  it('a first-arg rule allows just that argument of an otherwise denied command', async () => {
    await ok('ACL', 'SETUSER', 'sel0', 'on', 'nopass', '~*', '-@all', '+select|0');
    const c = await connect();
    await expectReply(c, '+OK\r\n', 'AUTH', 'sel0', 'x');
    await expectReply(c, '+OK\r\n', 'SELECT', '0');
    await expectReply(c, "-NOPERM User sel0 has no permissions to run the 'select' command\r\n", 'SELECT', '1');
    c.close();
  });

  it('DRYRUN says why, in the verbose form, without running or counting anything', async () => {
    await ok('ACL', 'SETUSER', 'dry', 'on', 'nopass', '~k*', '&ch*', '-@all', '+get', '+mget', '+subscribe');
    const denied = { ...server.server.acl.deniedCount };
    await expectReply(admin, '+OK\r\n', 'ACL', 'DRYRUN', 'dry', 'get', 'k1');
    await expectReply(admin, bulk("User dry has no permissions to access the 'x' key"), 'ACL', 'DRYRUN', 'dry', 'mget', 'k1', 'x');
    await expectReply(admin, bulk("User dry has no permissions to run the 'config|get' command"), 'ACL', 'DRYRUN', 'dry', 'config', 'get', 'x');
    await expectReply(admin, bulk("User dry has no permissions to access the 'zz' channel"), 'ACL', 'DRYRUN', 'dry', 'subscribe', 'ch1', 'zz');
    await expectReply(admin, "-ERR User 'nouser' not found\r\n", 'ACL', 'DRYRUN', 'nouser', 'get', 'x');
    await expectReply(admin, "-ERR Command 'nocmd' not found\r\n", 'ACL', 'DRYRUN', 'dry', 'nocmd');
    await expectReply(admin, "-ERR Command 'config' not found\r\n", 'ACL', 'DRYRUN', 'dry', 'config', 'nosub');
    await expectReply(admin, "-ERR wrong number of arguments for 'get' command\r\n", 'ACL', 'DRYRUN', 'dry', 'get');
    expect(server.server.acl.deniedCount).toEqual(denied);
  });

  it('counts denials for INFO and keeps an ACL LOG', async () => {
    await ok('ACL', 'SETUSER', 'logged', 'on', '>pw', '~k*', '-@all', '+get');
    await ok('ACL', 'LOG', 'RESET');
    const before = { ...server.server.acl.deniedCount };
    const c = await connect();
    await expectReply(c, '-WRONGPASS invalid username-password pair or user is disabled.\r\n', 'AUTH', 'logged', 'bad');
    await expectReply(c, '+OK\r\n', 'AUTH', 'logged', 'pw');
    await expectReply(c, '-NOPERM No permissions to access a key\r\n', 'GET', 'x');
    await expectReply(c, '-NOPERM No permissions to access a key\r\n', 'GET', 'x');
    await expectReply(c, "-NOPERM User logged has no permissions to run the 'set' command\r\n", 'SET', 'k', 'v');
    const after = server.server.acl.deniedCount;
    expect(after.auth - before.auth).toBeGreaterThanOrEqual(1);
    expect([after.key - before.key, after.cmd - before.cmd, after.channel - before.channel]).toEqual([2, 1, 0]);
    const log = server.server.acl.log.map((e) => [e.reason, e.object, e.username, e.count]);
    expect(log).toEqual([['command', 'set', 'logged', 1], ['key', 'x', 'logged', 2], ['auth', expect.any(String), 'logged', 1]]);
    const reply = await replyMatching(admin, /timestamp-last-updated\r\n:\d+\r\n$/, 'ACL', 'LOG', '1');
    expect(reply).toMatch(/^\*1\r\n\*20\r\n\$5\r\ncount\r\n:1\r\n\$6\r\nreason\r\n\$7\r\ncommand\r\n\$7\r\ncontext\r\n\$8\r\ntoplevel\r\n\$6\r\nobject\r\n\$3\r\nset\r\n\$8\r\nusername\r\n\$6\r\nlogged\r\n\$11\r\nage-seconds\r\n/);
    await ok('ACL', 'LOG', 'RESET');
    await expectReply(admin, '*0\r\n', 'ACL', 'LOG');
    await expectReply(admin, '-ERR value is not an integer or out of range\r\n', 'ACL', 'LOG', 'x');
    c.close();
  });
});

describe('ACL DELUSER', () => {
  it("refuses 'default'; closes the deleted user's connections while other clients keep their replies", async () => {
    await expectReply(admin, "-ERR The 'default' user cannot be removed\r\n", 'ACL', 'DELUSER', 'x', 'default');
    await ok('ACL', 'SETUSER', 'carol', 'on', '>pw', '~*', '+@all');
    const c1 = await connect();
    const c2 = await connect();
    const other = await connect();
    await expectReply(c1, '+OK\r\n', 'AUTH', 'carol', 'pw');
    await expectReply(c2, '+OK\r\n', 'AUTH', 'carol', 'pw');
    await expectReply(admin, ':1\r\n', 'ACL', 'DELUSER', 'carol', 'nobody');
    expect(await c1.waitClose()).toBe(true);
    expect(await c2.waitClose()).toBe(true);
    await expectReply(other, '+PONG\r\n', 'PING');
    await expectReply(admin, '+PONG\r\n', 'PING');
    await expectReply(other, '-WRONGPASS invalid username-password pair or user is disabled.\r\n', 'AUTH', 'carol', 'pw');
    other.close();
  });

  it('a client deleting its own user gets the reply, then the connection closes', async () => {
    await ok('ACL', 'SETUSER', 'dave', 'on', '>pw', '~*', '+@all');
    const c = await connect();
    await expectReply(c, '+OK\r\n', 'AUTH', 'dave', 'pw');
    c.write(Buffer.concat([resp('ACL', 'DELUSER', 'dave'), resp('PING')]));
    expect(await c.waitClose()).toBe(true);
    expect(c.received.endsWith(':1\r\n')).toBe(true);
  });
});

describe('ACL SETUSER and subscribed clients', () => {
  it('disconnects subscribers whose channels were revoked, keeps the others', async () => {
    await ok('ACL', 'SETUSER', 'subber', 'on', '>pw', '&ch*', '&news', '+@all');
    const kept = await connect();
    const revoked = await connect();
    for (const c of [kept, revoked]) await expectReply(c, '+OK\r\n', 'AUTH', 'subber', 'pw');
    await expectReply(kept, '*3\r\n' + bulk('subscribe') + bulk('news') + ':1\r\n', 'SUBSCRIBE', 'news');
    await expectReply(revoked, '*3\r\n' + bulk('subscribe') + bulk('ch1') + ':1\r\n', 'SUBSCRIBE', 'ch1');
    await ok('ACL', 'SETUSER', 'subber', 'resetchannels', '&news');
    expect(await revoked.waitClose()).toBe(true);
    // Both were judged in the same ACL SETUSER: kept answering a PING afterwards shows it stayed.
    await expectReply(kept, '*2\r\n' + bulk('pong') + bulk(''), 'PING');
    expect(kept.closed).toBe(false);
    kept.close();
  });
});

describe('ACL file (aclfile)', () => {
  it('SAVE writes ACL LIST lines; LOAD replaces the users and closes their connections', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'respd-acl-'));
    const file = join(dir, 'users.acl');
    writeFileSync(file, 'user default on nopass ~* &* +@all\nuser eve on >pw ~* +@all\n');
    const h = await startServer({ aclfile: file });
    const c = await RawClient.connect(h.port);
    await expectReply(c, bulks('default', 'eve'), 'ACL', 'USERS');
    const e = await RawClient.connect(h.port);
    await expectReply(e, '+OK\r\n', 'AUTH', 'eve', 'pw');
    await expectReply(c, '+OK\r\n', 'ACL', 'SETUSER', 'frank', 'on', 'nopass');
    await expectReply(c, '+OK\r\n', 'ACL', 'SAVE');
    expect(readFileSync(file, 'latin1')).toBe(
      'user default on nopass ~* &* +@all\n' +
      `user eve on #${sha('pw')} ~* resetchannels +@all\n` +
      'user frank on nopass resetchannels -@all\n',
    );
    writeFileSync(file, 'user bad\nuser x on +nosuch\n  \nnot a user line\n');
    await expectReply(c, `-ERR ${file}:2: Error in applying operation '+nosuch': Unknown command or category name in ACL. ${file}:4 should start with user keyword followed by the username. WARNING: ACL errors detected, no change to the previously active ACL rules was performed\r\n`, 'ACL', 'LOAD');
    writeFileSync(file, 'user eve on >pw ~* +@all\nuser default on >secret ~* &* +@all\n');
    await expectReply(c, '+OK\r\n', 'ACL', 'LOAD');
    expect(await e.waitClose()).toBe(true);
    await expectReply(c, bulks('default', 'eve'), 'ACL', 'USERS');
    const fresh = await RawClient.connect(h.port);
    await expectReply(fresh, '-NOAUTH Authentication required.\r\n', 'PING');
    await expectReply(fresh, '+OK\r\n', 'AUTH', 'secret');
    fresh.close();
    c.close();
  });

  it('without an ACL file, LOAD and SAVE say so', async () => {
    const msg = '-ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.\r\n';
    await expectReply(admin, msg, 'ACL', 'LOAD');
    await expectReply(admin, msg, 'ACL', 'SAVE');
  });
});

describe('Acl from a configuration', () => {
  const table = buildCommandTable();
  const configWith = (users: string[][], directives: Record<string, string> = {}) => {
    const config = Config.defaults();
    for (const [k, v] of Object.entries(directives)) config.set(k, [v], 'cli');
    for (const u of users) config.addFileDirective('user', u);
    return config;
  };
  const args = (...a: string[]) => Args.of(a);
  const cmd = (name: string) => table.get(name)!;

  it("creates default (on nopass ~* &* +@all); requirepass gives it a password", () => {
    const acl = new Acl(configWith([]), table);
    expect(acl.list()).toEqual(['user default on nopass ~* &* +@all']);
    expect(acl.defaultAuthenticated()).toBe(true);
    const withPass = new Acl(configWith([], { requirepass: 'secret' }), table);
    expect(withPass.list()).toEqual([`user default on #${sha('secret')} ~* &* +@all`]);
    expect(withPass.defaultAuthenticated()).toBe(false);
    expect(withPass.authenticate('default', 'secret')).toBe(true);
    expect(withPass.authenticate('default', 'nope')).toBe(false);
    withPass.setRequirepass('');
    expect(withPass.defaultAuthenticated()).toBe(true);
    expect(withPass.deniedCount.auth).toBe(1);
  });

  it('applies `user` lines after requirepass; a default line starts from reset', () => {
    const acl = new Acl(configWith([
      ['alice', 'on', '>pw', '~cached:*', '(+set', '~other)', '+get'],
      ['default', 'on', 'nopass', '~*', '+@read'],
    ], { requirepass: 'ignored' }), table);
    expect(acl.list()).toEqual([
      'user alice on #' + sha('pw') + ' ~cached:* resetchannels -@all +get (~other resetchannels -@all +set)',
      'user default on nopass sanitize-payload ~* resetchannels -@all +@read',
    ]);
    expect(acl.userExists('alice')).toBe(true);
    expect(acl.check('alice', cmd('get'), args('get', 'cached:1'))).toBeNull();
    expect(acl.check('alice', cmd('set'), args('set', 'other', 'v'))).toBeNull();
    expect(acl.check('alice', cmd('set'), args('set', 'cached:1', 'v'))).toBe('-NOPERM No permissions to access a key');
    expect(acl.check('default', cmd('set'), args('set', 'k', 'v'))).toBe("-NOPERM User default has no permissions to run the 'set' command");
    expect(acl.deniedCount).toEqual({ auth: 0, cmd: 1, key: 1, channel: 0 });
  });

  it('refuses bad user lines with the message Redis logs before exiting', () => {
    expect(() => new Acl(configWith([['bob', 'on', '+nosuchcommand']]), table)).toThrow(
      "Error loading ACL rule '+nosuchcommand' for the user named 'bob': Unknown command or category name in ACL",
    );
    expect(() => new Acl(configWith([['bob', '~*', '~x']]), table)).toThrow(
      "Error loading ACL rule '~x' for the user named 'bob': Adding a pattern after the * pattern",
    );
    expect(() => new Acl(configWith([['a b', 'on']]), table)).toThrow('Spaces not allowed in ACL usernames');
    expect(() => new Acl(configWith([['x']], { aclfile: '/nonexistent.acl' }), table)).toThrow(
      'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid.',
    );
    expect(() => new Acl(configWith([], { aclfile: '/nonexistent/users.acl' }), table)).toThrow(
      "Aborting Redis startup because of ACL errors: Error loading ACLs, opening file '/nonexistent/users.acl': No such file or directory",
    );
  });

  it('acl-pubsub-default allchannels gives new users every channel', () => {
    const acl = new Acl(configWith([['pub', 'on', 'nopass', '+@all', '~*']], { 'acl-pubsub-default': 'allchannels' }), table);
    expect(acl.list()[1]).toBe('user pub on nopass ~* &* +@all');
  });
});
