// Pub/Sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH, PUBSUB introspection.
import { Target } from '../propagation/propagation.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { globMatch } from '../util/glob.js';

const F = CmdFlag;
const PS = ['pubsub', 'slow'];

function names(call: CommandCall, from: number): string[] {
  const out: string[] = [];
  for (let i = from; i < call.args.count; i++) out.push(call.args.str(i));
  return out;
}

const subscribe = (kind: 'channel' | 'pattern' | 'shard') => (call: CommandCall) => {
  call.server.pubsub.subscribe(call.client, kind, names(call, 1), call.reply);
};

const unsubscribe = (kind: 'channel' | 'pattern' | 'shard') => (call: CommandCall) => {
  call.server.pubsub.unsubscribe(call.client, kind, names(call, 1), call.reply);
};

// PUBLISH and SPUBLISH go to replicas (their subscribers hear them too), not to the AOF.
function publish(call: CommandCall): void {
  call.reply.integer(call.server.pubsub.publish(call.args.str(1), call.args.take(2)));
  call.forcePropagation = Target.Repl;
}

function spublish(call: CommandCall): void {
  call.reply.integer(call.server.pubsub.spublish(call.args.str(1), call.args.take(2)));
  call.forcePropagation = Target.Repl;
}

function listChannels(call: CommandCall, reg: Map<string, Set<unknown>>): void {
  if (call.args.count > 3) {
    call.reply.error(`unknown subcommand or wrong number of arguments for '${call.args.str(1)}'. Try PUBSUB HELP.`);
    return;
  }
  const pattern = call.args.count > 2 ? call.args.str(2) : undefined;
  const out = [...reg.keys()].filter((ch) => pattern === undefined || globMatch(pattern, ch));
  call.reply.array(out.length);
  for (const ch of out) call.reply.bulkStr(ch);
}

function numsub(call: CommandCall, reg: Map<string, Set<unknown>>): void {
  // A flat array of channel, count pairs, in RESP3 too (not a map).
  const n = call.args.count - 2;
  call.reply.array(n * 2);
  for (let i = 2; i < call.args.count; i++) {
    const ch = call.args.str(i);
    call.reply.bulkStr(ch);
    call.reply.integer(reg.get(ch)?.size ?? 0);
  }
}

const HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  '    Return the currently active shard level channels matching a <pattern> (default: \'*\').',
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Print this help.',
];

const SUB_FLAGS = F.PubSub | F.NoScript | F.Loading | F.Stale;

export const pubsubCommands: CommandDef[] = [
  {
    name: 'subscribe', arity: -2, flags: SUB_FLAGS, acl: PS, group: 'pubsub', since: '2.0.0',
    summary: 'Listens for messages published to channels.', complexity: 'O(N) where N is the number of channels to subscribe to.',
    handler: subscribe('channel'),
  },
  {
    name: 'unsubscribe', arity: -1, flags: SUB_FLAGS, acl: PS, group: 'pubsub', since: '2.0.0',
    summary: 'Stops listening to messages posted to channels.', complexity: 'O(N) where N is the number of channels to unsubscribe.',
    handler: unsubscribe('channel'),
  },
  {
    name: 'psubscribe', arity: -2, flags: SUB_FLAGS, acl: PS, group: 'pubsub', since: '2.0.0',
    summary: 'Listens for messages published to channels that match one or more patterns.',
    complexity: 'O(N) where N is the number of patterns to subscribe to.', handler: subscribe('pattern'),
  },
  {
    name: 'punsubscribe', arity: -1, flags: SUB_FLAGS, acl: PS, group: 'pubsub', since: '2.0.0',
    summary: 'Stops listening to messages published to channels that match one or more patterns.',
    complexity: 'O(N) where N is the number of patterns to unsubscribe.', handler: unsubscribe('pattern'),
  },
  {
    name: 'ssubscribe', arity: -2, flags: SUB_FLAGS, acl: PS, group: 'pubsub', since: '7.0.0',
    summary: 'Listens for messages published to shard channels.', complexity: 'O(N) where N is the number of shard channels to subscribe to.',
    firstKey: 1, lastKey: -1, step: 1, keySpecs: [{ flags: ['not_key'], begin: 1, lastKey: -1, step: 1 }],
    handler: subscribe('shard'),
  },
  {
    name: 'sunsubscribe', arity: -1, flags: SUB_FLAGS, acl: PS, group: 'pubsub', since: '7.0.0',
    summary: 'Stops listening to messages posted to shard channels.', complexity: 'O(N) where N is the number of shard channels to unsubscribe.',
    firstKey: 1, lastKey: -1, step: 1, keySpecs: [{ flags: ['not_key'], begin: 1, lastKey: -1, step: 1 }],
    handler: unsubscribe('shard'),
  },
  {
    name: 'publish', arity: 3, flags: F.PubSub | F.Loading | F.Stale | F.Fast | F.MayReplicate | F.Sentinel, acl: ['pubsub', 'fast'],
    group: 'pubsub', since: '2.0.0', summary: 'Posts a message to a channel.',
    complexity: 'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).',
    handler: publish,
  },
  {
    name: 'spublish', arity: 3, flags: F.PubSub | F.Loading | F.Stale | F.Fast | F.MayReplicate, acl: ['pubsub', 'fast'],
    group: 'pubsub', since: '7.0.0', summary: 'Post a message to a shard channel',
    complexity: 'O(N) where N is the number of clients subscribed to the receiving shard channel.',
    firstKey: 1, lastKey: 1, step: 1, keySpecs: [{ flags: ['not_key'], begin: 1, lastKey: 0, step: 1 }], handler: spublish,
  },
  {
    name: 'pubsub', arity: -2, flags: 0, acl: ['slow'], group: 'pubsub', since: '2.8.0',
    summary: 'A container for Pub/Sub commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      {
        name: 'channels', arity: -2, flags: F.PubSub | F.Loading | F.Stale, acl: PS, group: 'pubsub', since: '2.8.0',
        summary: 'Returns the active channels.', complexity: 'O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)',
        handler: (c) => listChannels(c, c.server.pubsub.channels),
      },
      {
        name: 'numsub', arity: -2, flags: F.PubSub | F.Loading | F.Stale, acl: PS, group: 'pubsub', since: '2.8.0',
        summary: 'Returns a count of subscribers to channels.', complexity: 'O(N) for the NUMSUB subcommand, where N is the number of requested channels',
        handler: (c) => numsub(c, c.server.pubsub.channels),
      },
      {
        name: 'numpat', arity: 2, flags: F.PubSub | F.Loading | F.Stale, acl: PS, group: 'pubsub', since: '2.8.0',
        summary: 'Returns a count of unique pattern subscriptions.', complexity: 'O(1)',
        handler: (c) => c.reply.integer(c.server.pubsub.patterns.size),
      },
      {
        name: 'shardchannels', arity: -2, flags: F.PubSub | F.Loading | F.Stale, acl: PS, group: 'pubsub', since: '7.0.0',
        summary: 'Returns the active shard channels.', complexity: 'O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).',
        handler: (c) => listChannels(c, c.server.pubsub.shardChannels),
      },
      {
        name: 'shardnumsub', arity: -2, flags: F.PubSub | F.Loading | F.Stale, acl: PS, group: 'pubsub', since: '7.0.0',
        summary: 'Returns the count of subscribers of shard channels.', complexity: 'O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels',
        handler: (c) => numsub(c, c.server.pubsub.shardChannels),
      },
      {
        name: 'help', arity: 2, flags: F.Loading | F.Stale, acl: ['slow'], group: 'pubsub', since: '6.2.0',
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
        handler: (c) => {
          c.reply.array(HELP.length);
          for (const l of HELP) c.reply.status(l);
        },
      },
    ],
  },
];
