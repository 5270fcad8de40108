// The types the keyspace (keyspace.ts) is described by: who hears of its changes, the events it
// raises, what an expiry sweep saw, and what it reads of the config.

/** Told about every change of a key: WATCH and client-side caching invalidation hang off it. */
export interface KeyspaceObserver {
  keyModified(db: number, key: string): void;
  dbFlushed(db: number): void;
}

/** Keyspace events raised by the keyspace itself; the server turns them into notifications. */
export type KeyspaceNotifier = (
  cls: 'n' | 'x' | 'm' | 'h' | 'g',
  event: 'new' | 'expired' | 'keymiss' | 'hexpired' | 'del',
  key: string,
  db: number,
) => void;

/** What one Db.sweepExpired saw: keys sampled and expired, and the TTLs of the live ones. */
export interface SweepResult {
  sampled: number;
  expired: number;
  ttlSum: number;
  ttlSamples: number;
}

/** Directive reads and change notices: what useConfig needs of a Config. */
export interface KeyspaceConfig {
  str(name: string): string;
  int(name: string): number;
  onChange(listener: (name: string, value: string) => void): void;
}
