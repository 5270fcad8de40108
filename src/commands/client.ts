// The CLIENT command family: ID, INFO, LIST, KILL, SETNAME, GETNAME, SETINFO, PAUSE, UNPAUSE,
// REPLY, NO-EVICT, NO-TOUCH, UNBLOCK, TRACKING, CACHING, GETREDIR, TRACKINGINFO, HELP.
// Texts and argument checks follow Redis's networking.c (clientCommand).
import { clientTypeByName, type Client } from '../clients/client.js';
import { ClientFlag } from '../clients/flags.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_CLIENT_NAME, ERR_NOT_INTEGER, ERR_SYNTAX } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import { validClientName } from './args.js';

const F = CmdFlag;

/** The generic error when a subcommand's own argument checks fail. */
function subcommandSyntaxError(call: CommandCall): void {
  call.reply.error(`unknown subcommand or wrong number of arguments for '${call.args.str(1).slice(0, 128)}'. Try ${call.args.str(0).toUpperCase()} HELP.`);
}

function id({ client, reply }: CommandCall): void {
  reply.integer(client.id);
}

function info({ client, reply, server }: CommandCall): void {
  reply.verbatim(server.lifecycle.clientInfoLine(client) + '\n');
}

function list(call: CommandCall): void {
  const { args, reply, server } = call;
  let selected: Client[];
  if (args.count === 2) {
    selected = [...server.clients];
  } else if (args.count === 4 && args.is(2, 'type')) {
    const t = clientTypeByName(args.str(3));
    if (!t) {
      reply.error(`Unknown client type '${args.str(3)}'`);
      return;
    }
    selected = [...server.clients].filter((c) => c.type === t);
  } else if (args.count > 3 && args.is(2, 'id')) {
    selected = [];
    for (let i = 3; i < args.count; i++) {
      // Any 64-bit integer is an id; ids that are not connected (0 and negatives too) are skipped.
      const v = parseInteger(args.str(i));
      if (v === null) {
        reply.error('Invalid client ID');
        return;
      }
      const c = typeof v === 'number' ? server.clients.byID(v) : undefined;
      if (c) selected.push(c);
    }
  } else {
    reply.error(ERR_SYNTAX);
    return;
  }
  reply.verbatim(selected.map((c) => server.lifecycle.clientInfoLine(c) + '\n').join(''));
}

function kill(call: CommandCall): void {
  const { args, reply, server, client } = call;
  if (args.count === 3) {
    // Old form: CLIENT KILL addr:port, the caller included.
    const addr = args.str(2);
    const n = server.lifecycle.killClients(client, (c) => c.addr === addr);
    if (n === 0) reply.error('No such client');
    else reply.status('OK');
    return;
  }
  // One filter per option, a repeated option replacing the earlier one (Redis keeps one variable each).
  const filters = new Map<string, (c: Client) => boolean>();
  let skipme = true;
  for (let i = 2; i < args.count; i += 2) {
    if (i + 1 >= args.count) {
      reply.error(ERR_SYNTAX);
      return;
    }
    const opt = args.lower(i);
    const val = args.str(i + 1);
    if (opt === 'id') {
      const v = parseInteger(val);
      if (v === null || v <= 0) {
        reply.error('client-id should be greater than 0');
        return;
      }
      filters.set(opt, (c) => c.id === v);
    } else if (opt === 'type') {
      const t = clientTypeByName(val);
      if (!t) {
        reply.error(`Unknown client type '${val}'`);
        return;
      }
      filters.set(opt, (c) => c.type === t);
    } else if (opt === 'addr') {
      filters.set(opt, (c) => c.addr === val);
    } else if (opt === 'laddr') {
      filters.set(opt, (c) => c.laddr === val);
    } else if (opt === 'user') {
      if (!server.acl.userExists(val)) {
        reply.error(`No such user '${val}'`);
        return;
      }
      filters.set(opt, (c) => c.user === val);
    } else if (opt === 'skipme') {
      const v = val.toLowerCase();
      if (v === 'yes') skipme = true;
      else if (v === 'no') skipme = false;
      else {
        reply.error(ERR_SYNTAX);
        return;
      }
    } else if (opt === 'maxage') {
      const v = parseInteger(val);
      if (v === null) {
        reply.error('maxage is not an integer or out of range');
        return;
      }
      if (Number(v) <= 0) {
        reply.error('maxage should be greater than 0');
        return;
      }
      const nowS = Math.floor(call.now / 1000);
      filters.set(opt, (c) => nowS - Math.floor(c.ctimeMs / 1000) >= Number(v));
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  const n = server.lifecycle.killClients(client, (c) => (!skipme || c !== client) && [...filters.values()].every((f) => f(c)));
  reply.integer(n);
}

function setname({ args, reply, client }: CommandCall): void {
  const name = args.str(2);
  if (!validClientName(name)) {
    reply.error(ERR_CLIENT_NAME);
    return;
  }
  client.name = name;
  reply.status('OK');
}

function getname({ reply, client }: CommandCall): void {
  if (client.name) reply.bulkStr(client.name);
  else reply.nullBulk();
}

function setinfo({ args, reply, client }: CommandCall): void {
  const attr = args.str(2);
  const value = args.str(3);
  const lower = attr.toLowerCase();
  if (lower !== 'lib-name' && lower !== 'lib-ver') {
    reply.error(`Unrecognized option '${attr}'`);
    return;
  }
  if (!validClientName(value)) {
    reply.error(`${attr} cannot contain spaces, newlines or special characters.`);
    return;
  }
  if (lower === 'lib-name') client.libName = value;
  else client.libVer = value;
  reply.status('OK');
}

function pause(call: CommandCall): void {
  const { args, reply, server } = call;
  let all = true;
  if (args.count === 4) {
    if (args.is(3, 'write')) all = false;
    else if (!args.is(3, 'all')) {
      reply.error('CLIENT PAUSE mode must be WRITE or ALL');
      return;
    }
  } else if (args.count > 4) {
    subcommandSyntaxError(call);
    return;
  }
  const ms = parseInteger(args.str(2));
  if (ms === null) {
    reply.error('timeout is not an integer or out of range');
    return;
  }
  if (ms < 0) {
    reply.error('timeout is negative');
    return;
  }
  const end = Number(ms) + call.now;
  if (!Number.isSafeInteger(end)) {
    reply.error('timeout is out of range');
    return;
  }
  server.blocked.pauseClients(end, all);
  reply.status('OK');
}

function replyMode(call: CommandCall): void {
  const { args, reply, client } = call;
  if (args.is(2, 'on')) {
    client.flags &= ~(ClientFlag.ReplySkip | ClientFlag.ReplyOff | ClientFlag.ReplySkipNext);
    reply.muted = false; // the flags were cleared before the reply, so ON is answered
    reply.status('OK');
  } else if (args.is(2, 'off')) {
    client.flags |= ClientFlag.ReplyOff;
  } else if (args.is(2, 'skip')) {
    if (!(client.flags & ClientFlag.ReplyOff)) client.flags |= ClientFlag.ReplySkipNext;
  } else {
    reply.error(ERR_SYNTAX);
  }
}

const onOff = (flag: ClientFlag) => ({ args, reply, client }: CommandCall) => {
  if (args.is(2, 'on')) client.flags |= flag;
  else if (args.is(2, 'off')) client.flags &= ~flag;
  else {
    reply.error(ERR_SYNTAX);
    return;
  }
  reply.status('OK');
};

function unblock(call: CommandCall): void {
  const { args, reply, server } = call;
  if (args.count !== 3 && args.count !== 4) {
    subcommandSyntaxError(call);
    return;
  }
  let error = false;
  if (args.count === 4) {
    if (args.is(3, 'error')) error = true;
    else if (!args.is(3, 'timeout')) {
      reply.error('CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
      return;
    }
  }
  const id = parseInteger(args.str(2));
  if (id === null) {
    reply.error(ERR_NOT_INTEGER);
    return;
  }
  const target = typeof id === 'number' ? server.clients.byID(id) : undefined;
  reply.integer(target && server.blocked.unblockClient(target, error) ? 1 : 0);
}

function tracking(call: CommandCall): void {
  const { args, reply, client, server } = call;
  // Options first (the redirect target must exist now), then ON/OFF (networking.c clientCommand).
  let redirect = 0;
  let bcast = false, optin = false, optout = false, noloop = false;
  const prefixes: string[] = [];
  for (let i = 3; i < args.count; i++) {
    const opt = args.lower(i);
    const more = args.count - i - 1;
    if (opt === 'redirect' && more >= 1) {
      if (redirect !== 0) {
        reply.error('A client can only redirect to a single other client');
        return;
      }
      const v = parseInteger(args.str(++i));
      if (v === null) {
        reply.error(ERR_NOT_INTEGER);
        return;
      }
      if (typeof v !== 'number' || !server.clients.byID(v)) {
        reply.error('The client ID you want redirect to does not exist');
        return;
      }
      redirect = v;
    } else if (opt === 'bcast') bcast = true;
    else if (opt === 'optin') optin = true;
    else if (opt === 'optout') optout = true;
    else if (opt === 'noloop') noloop = true;
    else if (opt === 'prefix' && more >= 1) prefixes.push(args.str(++i));
    else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  if (args.is(2, 'on')) {
    const cur = client.tracking;
    if (prefixes.length && !bcast) {
      reply.error('PREFIX option requires BCAST mode to be enabled');
      return;
    }
    if (cur && cur.bcast !== bcast) {
      reply.error('You can\'t switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.');
      return;
    }
    if ((optin || optout) && bcast) {
      reply.error('OPTIN and OPTOUT are not compatible with BCAST');
      return;
    }
    if (optin && optout) {
      reply.error('You can\'t specify both OPTIN mode and OPTOUT mode');
      return;
    }
    if (cur && ((optin && cur.optout) || (optout && cur.optin))) {
      reply.error('You can\'t switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.');
      return;
    }
    // Existing prefixes are kept, in Redis's (sorted) order for the error text.
    const existing = [...(cur?.prefixes ?? [])].sort();
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i];
      for (const q of existing) {
        if (p.startsWith(q) || q.startsWith(p)) {
          reply.error(`Prefix '${p}' overlaps with an existing prefix '${q}'. Prefixes for a single client must not overlap.`);
          return;
        }
      }
      for (let j = i + 1; j < prefixes.length; j++) {
        const q = prefixes[j];
        if (p.startsWith(q) || q.startsWith(p)) {
          reply.error(`Prefix '${p}' overlaps with another provided prefix '${q}'. Prefixes for a single client must not overlap.`);
          return;
        }
      }
    }
    // BCAST without PREFIX means the empty prefix (added even beside existing ones, as Redis does).
    if (bcast && prefixes.length === 0) prefixes.push('');
    // Re-enabling replaces the redirect and the OPTIN/OPTOUT/NOLOOP options (enableTracking).
    server.tracking.enable(client, {
      redirect,
      bcast,
      optin,
      optout,
      noloop,
      prefixes: [...new Set([...existing, ...prefixes])],
      caching: cur?.caching,
    });
    reply.status('OK');
  } else if (args.is(2, 'off')) {
    server.tracking.disable(client);
    reply.status('OK');
  } else {
    reply.error(ERR_SYNTAX);
  }
}

function caching({ args, reply, client }: CommandCall): void {
  const t = client.tracking;
  if (!t || (!t.optin && !t.optout)) {
    reply.error('CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
    return;
  }
  if (args.is(2, 'yes')) {
    if (!t.optin) {
      reply.error('CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
      return;
    }
    t.caching = 'yes';
  } else if (args.is(2, 'no')) {
    if (!t.optout) {
      reply.error('CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
      return;
    }
    t.caching = 'no';
  } else {
    reply.error(ERR_SYNTAX);
    return;
  }
  reply.status('OK');
}

function trackinginfo({ reply, client }: CommandCall): void {
  const t = client.tracking;
  const flags: string[] = [t ? 'on' : 'off'];
  if (t) {
    if (t.bcast) flags.push('bcast');
    if (t.optin) flags.push('optin');
    if (t.optin && t.caching === 'yes') flags.push('caching-yes');
    if (t.optout) flags.push('optout');
    if (t.optout && t.caching === 'no') flags.push('caching-no');
    if (t.noloop) flags.push('noloop');
    if (client.flags & ClientFlag.TrackingBrokenRedir) flags.push('broken_redirect');
  }
  reply.map(3);
  reply.bulkStr('flags');
  reply.set(flags.length);
  for (const f of flags) reply.bulkStr(f);
  reply.bulkStr('redirect');
  reply.integer(t ? t.redirect : -1);
  reply.bulkStr('prefixes');
  const prefixes = t?.bcast ? [...t.prefixes].sort() : [];
  reply.array(prefixes.length);
  for (const p of prefixes) reply.bulkStr(p);
}

const HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  '    * ID <client-id>',
  '      Kill connections by client id.',
  '    * MAXAGE <maxage>',
  '      Kill connections older than the specified age.',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'SETINFO <option> <value>',
  '    Set client meta attr. Options are:',
  '    * LIB-NAME: the client lib name.',
  '    * LIB-VER: the client lib version.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'NO-TOUCH (ON|OFF)',
  '    Will not touch LRU/LFU stats when this mode is on.',
  'HELP',
  '    Print this help.',
];

const BASE = F.NoScript | F.Loading | F.Stale;
const CONN = ['slow', 'connection'];
const ADMIN = ['admin', 'slow', 'dangerous', 'connection'];
const sub = (
  name: string, arity: number, flags: number, acl: string[], summary: string, handler: (c: CommandCall) => void, since = '2.4.0', complexity = 'O(1)',
): CommandDef => ({
  name, arity, flags: flags | BASE, acl, group: 'connection', since, summary, complexity, handler,
});

export const clientCommands: CommandDef[] = [
  {
    name: 'client', arity: -2, flags: F.Sentinel, acl: ['slow'], group: 'connection', since: '2.4.0',
    summary: 'A container for client connection commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      sub('id', 2, F.Sentinel, CONN, 'Returns the unique client ID of the connection.', id, '5.0.0'),
      sub('info', 2, F.Sentinel, CONN, 'Returns information about the connection.', info, '6.2.0'),
      sub('list', -2, F.Admin | F.Sentinel, ADMIN, 'Lists open connections.', list, '2.4.0',
        'O(N) where N is the number of client connections'),
      sub('kill', -3, F.Admin | F.Sentinel, ADMIN, 'Terminates open connections.', kill, '2.4.0',
        'O(N) where N is the number of client connections'),
      sub('setname', 3, F.Sentinel, CONN, 'Sets the connection name.', setname, '2.6.9'),
      sub('getname', 2, F.Sentinel, CONN, 'Returns the name of the connection.', getname, '2.6.9'),
      sub('setinfo', 4, F.Sentinel, CONN, 'Sets information specific to the client or connection.', setinfo, '7.2.0'),
      sub('pause', -3, F.Admin | F.Sentinel, ADMIN, 'Suspends commands processing.', pause, '3.0.0'),
      sub('unpause', 2, F.Admin | F.Sentinel, ADMIN, 'Resumes processing commands from paused clients.', (c) => {
        c.server.blocked.unpauseClients();
        c.reply.status('OK');
      }, '6.2.0', 'O(N) Where N is the number of paused clients'),
      sub('reply', 3, F.Sentinel, CONN, 'Instructs the server whether to reply to commands.', replyMode, '3.2.0'),
      sub('no-evict', 3, F.Admin | F.Sentinel, ADMIN, 'Sets the client eviction mode of the connection.', onOff(ClientFlag.NoEvict), '7.0.0'),
      sub('no-touch', 3, 0, CONN, 'Controls whether commands sent by the client affect the LRU/LFU of accessed keys.', onOff(ClientFlag.NoTouch), '7.2.0'),
      sub('unblock', -3, F.Admin | F.Sentinel, ADMIN, 'Unblocks a client blocked by a blocking command from a different connection.', unblock, '5.0.0',
        'O(log N) where N is the number of client connections'),
      sub('tracking', -3, 0, CONN, 'Controls server-assisted client-side caching for the connection.', tracking, '6.0.0',
        'O(1). Some options may introduce additional complexity.'),
      sub('caching', 3, 0, CONN, 'Instructs the server whether to track the keys in the next request.', caching, '6.0.0'),
      sub('getredir', 2, F.Sentinel, CONN, 'Returns the client ID to which the connection\'s tracking notifications are redirected.', (c) => c.reply.integer(c.client.tracking ? c.client.tracking.redirect : -1), '6.0.0'),
      sub('trackinginfo', 2, F.Sentinel, CONN, 'Returns information about server-assisted client-side caching for the connection.', trackinginfo, '6.2.0'),
      sub('help', 2, F.Sentinel, CONN, 'Returns helpful text about the different subcommands.', (c) => {
        c.reply.array(HELP.length);
        for (const l of HELP) c.reply.status(l);
      }, '5.0.0'),
    ],
  },
];
