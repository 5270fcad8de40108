// What commands may ask of the server. The server implements it; commands depend on this
// interface only, so imports go one way (server -> commands).
import type { Config } from '../config/config.js';
import type { Client } from '../clients/client.js';
import type { ClientRegistry } from '../clients/registry.js';
import type { Keyspace } from '../data/keyspace.js';
import type { CommandTable } from './table.js';

export interface ServerContext {
  readonly keyspace: Keyspace;
  readonly config: Config;
  readonly clients: ClientRegistry;
  readonly commands: CommandTable;
  readonly startedMs: number;
  /** Keys changed since start (Redis's `dirty`), for SHUTDOWN SAVE bookkeeping and INFO. */
  dirty: number;
  /** INFO text for the given section names (lower case; empty = default sections). */
  info(sections: readonly string[]): string;
  /** Closes `c` once its pending replies are written. */
  closeAfterReply(c: Client): void;
  /** SHUTDOWN: stops the server; false with a reason if it can't. */
  shutdown(how: { save: boolean; nosave: boolean; now: boolean; force: boolean }): { ok: true } | { ok: false; error: string };
  /** The client passed AUTH/HELLO AUTH: lift the pre-auth protocol limits. */
  onAuthenticated(c: Client): void;
  /** CONFIG SET succeeded for these directives: apply them at runtime. */
  applyConfig(changed: readonly string[]): string | undefined;
}
