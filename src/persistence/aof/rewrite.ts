// One AOF rewrite (rewriteAppendOnlyFileBackground's child, without a fork): the dataset as it was
// when the rewrite started, written in slices by the forkless snapshot (bgsave.ts: per-key copy
// on write) into temp-rewriteaof-<pid>.aof and renamed temp-rewriteaof-bg-<pid>.aof when done,
// for the AOF (aof.ts) to make it the new base. With aof-use-rdb-preamble yes the base is an RDB
// (aux aof-base 1).
import { BackgroundSave } from '../bgsave.js';
import type { Persistence } from '../persistence.js';
import { writeCommandsBase } from './rewrite-commands.js';

export interface AofRewriteOptions {
  /** An RDB base (aof-use-rdb-preamble), else commands. */
  rdb: boolean;
  timestamps: boolean;
  /** Where the finished file is left (temp-rewriteaof-bg-<pid>.aof) and where it is written first. */
  path: string;
  temp: string;
  /** undefined on success, 'killed' when aborted, else the error. */
  done: (error: string | undefined) => void;
}

export class AofRewrite {
  readonly rdb: boolean;
  readonly path: string;
  private readonly save: BackgroundSave | undefined;
  private timer: NodeJS.Immediate | undefined;

  constructor(persistence: Persistence, o: AofRewriteOptions) {
    this.rdb = o.rdb;
    this.path = o.path;
    if (o.rdb) {
      this.save = new BackgroundSave(persistence.backgroundOptions(o.path, o.temp, true, o.done));
    } else {
      // Commands are written from the state at the start, in one go on the next turn: the new
      // incr file already takes what happens after this point.
      writeCommandsBase(persistence, o.path, o.temp, o.timestamps);
      this.timer = setImmediate(() => {
        this.timer = undefined;
        o.done(undefined);
      });
    }
  }

  /** killAppendOnlyChild: stops without a file. */
  abort(): void {
    this.save?.abort();
    if (this.timer) clearImmediate(this.timer);
  }

  /** rewriteAppendOnlyFile in the foreground, as commands (the base of an empty start). */
  static writeCommandsNow(persistence: Persistence, path: string, temp: string, timestamps: boolean): void {
    writeCommandsBase(persistence, path, temp, timestamps);
  }
}
