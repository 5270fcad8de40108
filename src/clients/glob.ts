// Redis's glob matching (util.c stringmatchlen), shared by KEYS/SCAN MATCH, PUBSUB, PSUBSCRIBE,
// COMMAND LIST and CONFIG GET: one implementation, in the config parser.
import { stringMatch } from '../config/parse.js';

export function globMatch(pattern: string, s: string, nocase = false): boolean {
  return stringMatch(pattern, s, nocase);
}
