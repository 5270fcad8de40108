// One AOF rewrite (rewriteAppendOnlyFileBackground's child, without a fork): the dataset as it was
// when the rewrite started, written in slices by the forkless snapshot (bgsave.ts: per-key copy
// on write) into temp-rewriteaof-<pid>.aof and renamed temp-rewriteaof-bg-<pid>.aof when done,
// for the AOF (aof.ts) to make it the new base. With aof-use-rdb-preamble yes the base is an RDB
// (aux aof-base 1), else commands (rewrite-commands.ts).
import { BackgroundSave } from '../bgsave.js';
import type { Persistence } from '../persistence.js';
import { CommandWriter, writeCommandsBase } from './rewrite-commands.js';

export interface AofRewriteOptions {
  /** An RDB base (aof-use-rdb-preamble), else commands. */
  rdb: boolean;
  timestamps: boolean;
  /** Where the finished file is left (temp-rewriteaof-bg-<pid>.aof) and where it is written first. */
  path: string;
  temp: string;
  /** undefined on success, else the error as the child logs it (an abort calls nothing). */
  done: (error: string | undefined) => void;
}

export class AofRewrite {
  readonly rdb: boolean;
  readonly path: string;
  private readonly save: BackgroundSave | undefined;
  private failure: NodeJS.Immediate | undefined;

  constructor(persistence: Persistence, o: AofRewriteOptions) {
    this.rdb = o.rdb;
    this.path = o.path;
    const opts = persistence.backgroundOptions(o.path, o.temp, true, (error) => o.done(error === undefined ? undefined : `Write error writing append only file on disk: ${error}`));
    if (!o.rdb) opts.writer = (fd) => new CommandWriter(fd, o.timestamps);
    try {
      this.save = new BackgroundSave(opts);
    } catch (e) {
      // Redis's child fails after the fork: the rewrite started, and ends with its error.
      const message = `Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): ${(e as Error).message}`;
      this.failure = setImmediate(() => o.done(message));
    }
  }

  /** killAppendOnlyChild: stops without a file. */
  abort(): void {
    this.save?.abort();
    if (this.failure) clearImmediate(this.failure);
  }

  /** rewriteAppendOnlyFile in the foreground, as commands (the base of an empty start). */
  static writeCommandsNow(persistence: Persistence, path: string, temp: string, timestamps: boolean): void {
    writeCommandsBase(persistence, path, temp, timestamps);
  }
}
