// An index told of every key a database gains or loses, and of it emptied: cluster mode's keys by
// slot (cluster/slot-index.ts; cluster mode has one database).
export interface KeyIndex {
  added(db: number, key: string): void;
  removed(db: number, key: string): void;
  cleared(db: number): void;
}
