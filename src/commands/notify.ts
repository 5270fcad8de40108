// Keyspace notifications (notify-keyspace-events, Redis's notify.c): every command that changes a
// key calls notifyKeyspaceEvent with its event class and name; what is published on
// __keyspace@<db>__:<key> (message: the event) and __keyevent@<db>__:<event> (message: the key)
// follows the configured flags. Nothing is published unless K or E is set, and then only for the
// classes listed ('A' is g$lshzxetd; 'n' new and 'm' keymiss must be named).
import type { Config } from '../config/config.js';
import type { KeyspaceNotifier } from '../data/keyspace.js';
import type { ServerContext } from './context.js';

/** Event classes, as the flag letters of notify-keyspace-events. */
export type EventClass =
  | 'g' // generic: DEL, EXPIRE, RENAME, ...
  | '$' // string commands
  | 'l' // list commands
  | 's' // set commands
  | 'h' // hash commands
  | 'z' // sorted set commands
  | 'x' // expired
  | 'e' // evicted
  | 't' // stream commands
  | 'd' // module key type events
  | 'n' // new key
  | 'm'; // key miss

// notify.c's NOTIFY_* bits.
const KEYSPACE = 1 << 0;
const KEYEVENT = 1 << 1;
const CLASS_BITS: Readonly<Record<string, number>> = {
  g: 1 << 2,
  $: 1 << 3,
  l: 1 << 4,
  s: 1 << 5,
  h: 1 << 6,
  z: 1 << 7,
  x: 1 << 8,
  e: 1 << 9,
  t: 1 << 10,
  m: 1 << 11,
  d: 1 << 13,
  n: 1 << 14,
};
const ALL = 'g$lshzxetd';

/** Redis's keyspaceEventsStringToFlags (the config layer has already rejected bad letters). */
function keyspaceEventFlags(s: string): number {
  let flags = 0;
  for (const c of s) {
    if (c === 'A') for (const a of ALL) flags |= CLASS_BITS[a]!;
    else if (c === 'K') flags |= KEYSPACE;
    else if (c === 'E') flags |= KEYEVENT;
    else flags |= CLASS_BITS[c] ?? 0;
  }
  return flags;
}

/** Flags per Config, kept current by a change listener registered on first use. */
const flagsByConfig = new WeakMap<Config, { flags: number }>();

/** The last Config asked about: one compare per event instead of a WeakMap lookup. */
let lastConfig: Config | undefined;
let lastState: { flags: number } | undefined;

function configuredFlags(config: Config): number {
  if (config === lastConfig) return lastState!.flags;
  let state = flagsByConfig.get(config);
  if (state === undefined) {
    const s = { flags: keyspaceEventFlags(config.str('notify-keyspace-events')) };
    config.onChange((name, value) => {
      if (name === 'notify-keyspace-events') s.flags = keyspaceEventFlags(value);
    });
    flagsByConfig.set(config, s);
    state = s;
  }
  lastConfig = config;
  lastState = state;
  return state.flags;
}

/** Event names as message payloads, made once each. */
const eventPayloads = new Map<string, Buffer>();

/** Publishes the notification if notify-keyspace-events asks for this class. */
export function notifyKeyspaceEvent(server: ServerContext, cls: EventClass, event: string, key: string, db: number): void {
  const flags = configuredFlags(server.config);
  if (!(flags & CLASS_BITS[cls]!)) return;
  if (flags & KEYSPACE) {
    let payload = eventPayloads.get(event);
    if (payload === undefined) eventPayloads.set(event, (payload = Buffer.from(event, 'latin1')));
    server.pubsub.publish(`__keyspace@${db}__:${key}`, payload);
  }
  if (flags & KEYEVENT) server.pubsub.publish(`__keyevent@${db}__:${event}`, Buffer.from(key, 'latin1'));
}

/**
 * Connects the keyspace to the server: its own events ('new', 'expired' from lazy and active
 * expiry, 'keymiss') become notifications, and it follows the eviction-policy directives that
 * decide LRU or LFU access tracking. The server calls this once, after creating its keyspace
 * and pub/sub; calling it again does nothing.
 */
export function wireKeyspace(server: ServerContext): void {
  const ks = server.keyspace;
  if (ks.notifier === undefined) {
    const notifier: KeyspaceNotifier = (cls, event, key, db) => notifyKeyspaceEvent(server, cls, event, key, db);
    ks.notifier = notifier;
  }
  ks.useConfig(server.config);
}
