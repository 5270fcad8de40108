// Redis's sdscatrepr (MONITOR lines, logs): one implementation, kept with the config parser
// that reads its output back.
export { repr } from '../config/parse.js';
