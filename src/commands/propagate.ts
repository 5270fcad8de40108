// What handlers need to rewrite themselves for the propagation stream (propagation/): the
// deletion a replica is told of, as lazyfree-lazy-expire / lazyfree-lazy-server-del name it.
import type { ServerContext } from './context.js';
export type { Arg } from '../propagation/propagation.js';

/** An expiry a command caused (EXPIRE in the past, GETEX EXAT in the past): DEL or UNLINK. */
export function lazyExpireDel(server: ServerContext): 'DEL' | 'UNLINK' {
  return server.config.str('lazyfree-lazy-expire') === 'yes' ? 'UNLINK' : 'DEL';
}

/** A deletion a command implies (SPOP taking the whole set): DEL or UNLINK. */
export function lazyServerDel(server: ServerContext): 'DEL' | 'UNLINK' {
  return server.config.str('lazyfree-lazy-server-del') === 'yes' ? 'UNLINK' : 'DEL';
}
