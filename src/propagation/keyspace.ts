// What the keyspace deletes on its own, recorded in the propagation stream: an expired key as
// DEL (UNLINK with lazyfree-lazy-expire), an expired hash field as HDEL (Redis 7.4's
// propagateHashFieldDeletion). Inside a command they precede the command's own record; outside
// one (the active cycles) each goes out alone.
import type { Config } from '../config/config.js';
import type { Keyspace } from '../data/keyspace.js';
import type { Propagation } from './propagation.js';

/** Wires expiry; returns what eviction calls for each key it deletes (after its notification). */
export function wirePropagation(prop: Propagation, keyspace: Keyspace, config: Config): (db: number, key: string, _?: void) => void {
  keyspace.expiredKey = (db, key) => {
    if (prop.active) prop.deletion(db, key, config.str('lazyfree-lazy-expire') === 'yes');
  };
  keyspace.expiredField = (db, key, field) => {
    if (prop.active) prop.also(db, ['HDEL', key, field]);
  };
  return (db, key) => {
    if (prop.active) prop.deletion(db, key, config.str('lazyfree-lazy-eviction') === 'yes');
  };
}
