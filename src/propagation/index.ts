// The propagation stream: the recorder (propagation.ts) and what feeds it from the keyspace.
export { Propagation, Target, encodeCommand, type Arg, type PropagationSink } from './propagation.js';
export { wirePropagation } from './keyspace.js';
