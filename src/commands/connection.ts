// Connection commands: PING, ECHO, QUIT, HELLO, SELECT, AUTH.
import { REDIS_VERSION } from '../config/version.js';
import { ClientFlag } from '../clients/flags.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_CLIENT_NAME, ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGPASS } from '../util/errors.js';
import { parseSafeInteger } from '../util/numbers.js';
import { validClientName } from './args.js';

const CONN = ['connection'];

function ping({ args, reply, client }: CommandCall): void {
  if (args.count > 2) {
    reply.error("wrong number of arguments for 'ping' command");
    return;
  }
  if (client.flags & ClientFlag.PubSub && client.resp === 2) {
    // In the RESP2 subscribed context PING answers in the message shape.
    reply.array(2);
    reply.bulkStr('pong');
    if (args.count === 2) reply.bulk(args.buf(1));
    else reply.bulkStr('');
    return;
  }
  if (args.count === 1) reply.status('PONG');
  else reply.bulk(args.buf(1));
}

function echo({ args, reply }: CommandCall): void {
  reply.bulk(args.buf(1));
}

function quit({ client, reply, server }: CommandCall): void {
  reply.status('OK');
  server.lifecycle.closeAfterReply(client);
}

function select({ args, reply, client, server }: CommandCall): void {
  const id = parseSafeInteger(args.str(1));
  if (id === null) {
    reply.error(ERR_NOT_INTEGER);
    return;
  }
  if (server.cluster !== undefined && id !== 0) {
    reply.error('SELECT is not allowed in cluster mode');
    return;
  }
  if (id < 0 || id >= server.keyspace.dbs.length) {
    reply.error('DB index is out of range');
    return;
  }
  client.db = id;
  reply.status('OK');
}


function checkPassword(call: CommandCall, user: string, pass: string): boolean {
  // Counts failures in acl_access_denied_auth and the ACL log itself.
  return call.server.acl.authenticate(user, pass, call.client, call.args.str(0));
}

function hello(call: CommandCall): void {
  const { args, reply, client, server } = call;
  let ver = 0;
  let i = 1;
  if (args.count >= 2) {
    const v = parseSafeInteger(args.str(1));
    if (v === null) {
      reply.error('Protocol version is not an integer or out of range');
      return;
    }
    if (v < 2 || v > 3) {
      reply.error('-NOPROTO unsupported protocol version');
      return;
    }
    ver = v;
    i = 2;
  }
  let auth: [string, string] | undefined;
  let setname: string | undefined;
  for (; i < args.count; i++) {
    const more = args.count - i - 1;
    const opt = args.lower(i);
    if (opt === 'auth' && more >= 2) {
      auth = [args.str(i + 1), args.str(i + 2)];
      i += 2;
    } else if (opt === 'setname' && more >= 1) {
      setname = args.str(i + 1);
      if (!validClientName(setname)) {
        reply.error(ERR_CLIENT_NAME);
        return;
      }
      i += 1;
    } else {
      reply.error(`Syntax error in HELLO option '${args.str(i)}'`);
      return;
    }
  }
  if (auth) {
    if (!checkPassword(call, auth[0], auth[1])) {
      reply.error(ERR_WRONGPASS);
      return;
    }
    client.authenticated = true;
    client.user = auth[0];
    server.lifecycle.onAuthenticated(client);
  }
  if (!client.authenticated) {
    reply.error(
      '-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
    return;
  }
  if (setname !== undefined) client.name = setname;
  if (ver) client.resp = ver as 2 | 3;
  reply.resp = client.resp;
  reply.map(7);
  reply.bulkStr('server');
  reply.bulkStr('redis');
  reply.bulkStr('version');
  reply.bulkStr(REDIS_VERSION);
  reply.bulkStr('proto');
  reply.integer(client.resp);
  reply.bulkStr('id');
  reply.integer(client.id);
  reply.bulkStr('mode');
  reply.bulkStr(server.cluster !== undefined ? 'cluster' : 'standalone');
  reply.bulkStr('role');
  reply.bulkStr('master');
  reply.bulkStr('modules');
  reply.array(0);
}

function auth(call: CommandCall): void {
  const { args, reply, client, server } = call;
  if (args.count > 3) {
    reply.error(ERR_SYNTAX);
    return;
  }
  if (args.count === 2 && server.acl.defaultNoPass()) {
    reply.error(
      'AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    );
    return;
  }
  const user = args.count === 3 ? args.str(1) : 'default';
  const pass = args.str(args.count - 1);
  if (!checkPassword(call, user, pass)) {
    reply.error(ERR_WRONGPASS);
    return;
  }
  client.authenticated = true;
  client.user = user;
  server.lifecycle.onAuthenticated(client);
  reply.status('OK');
}

function reset({ client, reply, server }: CommandCall): void {
  // MONITOR clients carry the replica bit too; only real replicas and masters are refused.
  let flags = client.flags;
  if (flags & ClientFlag.Monitor) flags &= ~(ClientFlag.Monitor | ClientFlag.Slave);
  if (flags & (ClientFlag.Slave | ClientFlag.Master)) {
    reply.error('can only reset normal client connections');
    return;
  }
  server.lifecycle.reset(client);
  reply.resp = client.resp;
  // REPLY OFF was cleared before the reply is queued, so it is sent; REPLY SKIP still hides it.
  reply.muted = (client.flags & ClientFlag.ReplySkip) !== 0;
  reply.status('RESET');
}

function monitor({ client, reply, server }: CommandCall): void {
  // A replica can't become a monitor; MONITOR twice is a no-op.
  if (client.flags & ClientFlag.Slave) return;
  server.lifecycle.addMonitor(client);
  reply.status('OK');
}

const F = CmdFlag;

export const connectionCommands: CommandDef[] = [
  {
    name: 'ping', arity: -1, flags: F.Fast | F.Sentinel, acl: ['fast', ...CONN], group: 'connection',
    since: '1.0.0', summary: 'Returns the server\'s liveliness response.', complexity: 'O(1)',
    tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], handler: ping,
  },
  {
    name: 'echo', arity: 2, flags: F.Loading | F.Stale | F.Fast, acl: ['fast', ...CONN], group: 'connection', since: '1.0.0',
    summary: 'Returns the given string.', complexity: 'O(1)', handler: echo,
  },
  {
    name: 'quit', arity: -1, flags: F.AllowBusy | F.NoScript | F.Loading | F.Stale | F.Fast | F.NoAuth,
    acl: ['fast', ...CONN], group: 'connection', since: '1.0.0',
    summary: 'Closes the connection.', complexity: 'O(1)', handler: quit,
  },
  {
    name: 'select', arity: 2, flags: F.Loading | F.Stale | F.Fast, acl: ['fast', ...CONN], group: 'connection',
    since: '1.0.0', summary: 'Changes the selected database.', complexity: 'O(1)', handler: select,
  },
  {
    name: 'hello', arity: -1,
    flags: F.NoScript | F.Loading | F.Stale | F.Fast | F.NoAuth | F.Sentinel | F.AllowBusy,
    acl: ['fast', ...CONN], group: 'connection', since: '6.0.0',
    summary: 'Handshakes with the Redis server.', complexity: 'O(1)', handler: hello,
  },
  {
    name: 'auth', arity: -2,
    flags: F.NoScript | F.Loading | F.Stale | F.Fast | F.NoAuth | F.Sentinel | F.AllowBusy,
    acl: ['fast', ...CONN], group: 'connection', since: '1.0.0',
    summary: 'Authenticates the connection.', complexity: 'O(N) where N is the number of passwords defined for the user',
    handler: auth,
  },
  {
    name: 'reset', arity: 1, flags: F.NoScript | F.Loading | F.Stale | F.Fast | F.NoAuth | F.AllowBusy,
    acl: ['fast', ...CONN], group: 'connection', since: '6.2.0', summary: 'Resets the connection.', complexity: 'O(1)',
    handler: reset,
  },
  {
    name: 'monitor', arity: 1, flags: F.Admin | F.NoScript | F.Loading | F.Stale, acl: ['admin', 'slow', 'dangerous'],
    group: 'server', since: '1.0.0', summary: 'Listens for all requests received by the server in real-time.',
    handler: monitor,
  },
];
