// serverCron: what runs hz times a second. Idle-client timeouts, the end of CLIENT PAUSE, a
// slice of active expiry, the output soft limits and reply-buffer resizing, client eviction.
import type { ClientLifecycle } from '../clients/lifecycle.js';
import type { ClientRegistry } from '../clients/registry.js';
import type { Tracking } from '../clients/tracking.js';
import type { DebugFlags } from '../commands/context.js';
import type { Config } from '../config/config.js';
import { activeExpireCycle } from '../data/active-expire.js';
import type { Keyspace } from '../data/keyspace.js';
import type { Blocked } from './blocked.js';
import type { ServerState } from './state.js';

export class Cron {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly st: ServerState,
    private readonly config: Config,
    private readonly debugFlags: DebugFlags,
    private readonly keyspace: Keyspace,
    private readonly clients: ClientRegistry,
    private readonly lifecycle: ClientLifecycle,
    private readonly blocked: Blocked,
    private readonly tracking: Tracking,
    /** Save points: a BGSAVE when enough changes are old enough (persistence.ts). */
    private readonly savePoints: (now: number) => void = () => undefined,
    /** A load in progress: the dataset is neither expired nor saved meanwhile (Redis runs no serverCron then). */
    private readonly loading: () => boolean = () => false,
  ) {}

  /** (Re)starts the timer at the current hz. */
  schedule(): void {
    if (this.timer) clearInterval(this.timer);
    const hz = Math.min(500, Math.max(1, this.config.int('hz')));
    this.timer = setInterval(() => this.run(), Math.floor(1000 / hz));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private run(): void {
    // DEBUG PAUSE-CRON 1: nothing periodic runs (timeouts, expiry, limits, resizing, eviction).
    if (this.debugFlags.pauseCron) return;
    const st = this.st;
    const now = Date.now();
    st.call.now = now;
    this.blocked.closeIdleClients(now);
    this.blocked.updatePause(now);
    // Expired keys are reclaimed a little every tick, within Redis's time budget (25 ms at hz 10);
    // nothing while clients are paused (Blocked.setPause).
    const loading = this.loading();
    if (this.debugFlags.activeExpire && !loading) {
      const hz = this.config.int('hz');
      activeExpireCycle(this.keyspace, now, ((25 + 2 * (this.keyspace.activeExpireEffort - 1)) * 10) / hz, hz);
    }
    if (st.limits) {
      const over = st.limits.cron(this.clients, st.counters, now, (slot) => this.clients.atSlot(slot));
      for (const c of over) this.lifecycle.onOutputLimit(c.slot, false);
      this.lifecycle.evictClients();
    }
    if (!loading) this.savePoints(now);
    this.tracking.broadcastPending();
    st.writer.commit();
  }
}
