// How consumer-group reads and claims reach the propagation stream (t_stream.c's
// streamPropagateXCLAIM, streamPropagateGroupID, streamPropagateConsumerCreation): never as
// themselves, but as the XCLAIM ... FORCE JUSTID LASTID and XGROUP SETID/CREATECONSUMER that
// rebuild the same group state on a replica or from the AOF.
import type { Nack as StreamNack, StreamGroup } from '../data/stream-group.js';
import { formatId, type StreamID } from '../data/stream-id.js';
import type { CommandCall } from '../table/table.js';

/** Where a group's effects go: null while the stream has no listener. */
export interface GroupPropagation {
  call: CommandCall;
  key: string;
  group: string;
}

export function groupPropagation(call: CommandCall, key: string, group: string): GroupPropagation | null {
  return call.server.propagation.active ? { call, key, group } : null;
}

/** XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID LASTID last-id. */
export function propagateXclaim(p: GroupPropagation, g: StreamGroup, id: StreamID | string, nack: StreamNack): void {
  p.call.server.propagation.also(p.call.client.db, [
    'XCLAIM', p.key, p.group, nack.consumer.name, '0', typeof id === 'string' ? id : formatId(id),
    'TIME', String(nack.deliveryTime), 'RETRYCOUNT', String(nack.deliveryCount), 'FORCE', 'JUSTID', 'LASTID', formatId(g.lastId),
  ]);
}

/** XGROUP SETID key group last-id ENTRIESREAD n (NOACK reads, XAUTOCLAIM's deletions). */
export function propagateGroupId(p: GroupPropagation, g: StreamGroup): void {
  p.call.server.propagation.also(p.call.client.db, ['XGROUP', 'SETID', p.key, p.group, formatId(g.lastId), 'ENTRIESREAD', String(g.entriesRead)]);
}

/** XGROUP CREATECONSUMER key group consumer (a consumer a NOACK read created). */
export function propagateConsumerCreation(p: GroupPropagation, consumer: string): void {
  p.call.server.propagation.also(p.call.client.db, ['XGROUP', 'CREATECONSUMER', p.key, p.group, consumer]);
}
