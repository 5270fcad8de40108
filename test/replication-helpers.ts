// What the tests of replicating servers share: polling with a bound, INFO fields read from an
// ioredis reply, and waiting for a replica's link and offset.
import type { Redis } from 'ioredis';

/** Polls `f` until it returns true (bounded: 10 s), failing with `what` otherwise. */
export async function until(what: string, f: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** One field of an INFO reply's text, undefined when it is not there. */
export function infoField(info: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  return m ? m[1]!.trim() : undefined;
}

/** The replica's link to its master is up. */
export async function linkUp(r: Redis): Promise<void> {
  await until('master_link_status:up', async () => infoField(await r.info('replication'), 'master_link_status') === 'up');
}
