// One connected client: identity, protocol state and flags. The bytes (query buffer, output
// chain) live in native under `slot`; their sizes are read from the shared counters.
import type { Resp } from '../protocol/reply.js';
import { ClientFlag } from './flags.js';

export class Client {
  db = 0;
  resp: Resp = 2;
  name = '';
  libName = '';
  libVer = '';
  flags = 0;
  user = 'default';
  authenticated: boolean;
  /** Full name of the last command run (CLIENT LIST cmd=), 'NULL' before any. */
  lastCommand = 'NULL';
  private cachedAddr: string | undefined;
  private cachedLaddr: string | undefined;

  constructor(
    readonly id: number,
    readonly slot: number,
    readonly connType: string,
    readonly local: boolean,
    readonly ctimeMs: number,
    authenticated: boolean,
    private readonly resolveAddress: (slot: number, remote: boolean) => string,
  ) {
    this.authenticated = authenticated;
  }

  /** Peer address, read once and cached (Redis caches it on first use too). */
  get addr(): string {
    if (this.cachedAddr === undefined) this.cachedAddr = this.resolveAddress(this.slot, true);
    return this.cachedAddr;
  }

  get laddr(): string {
    if (this.cachedLaddr === undefined) this.cachedLaddr = this.resolveAddress(this.slot, false);
    return this.cachedLaddr;
  }

  /** No more commands run for a client that is closing (either way). */
  get closing(): boolean {
    return (this.flags & (ClientFlag.CloseAfterReply | ClientFlag.CloseAsap)) !== 0;
  }
}
