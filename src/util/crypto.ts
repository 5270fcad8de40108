// node:crypto on first use. Loading it takes 3-10 ms of start-up, and nothing needs it before a
// command that hashes (EVAL, AUTH, ACL, DEBUG DIGEST, CONFIG REWRITE): the run id comes from
// /dev/urandom, as Redis's getRandomHexChars takes it.
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

type NodeCrypto = typeof import('node:crypto');

const require = createRequire(import.meta.url);
let loaded: NodeCrypto | undefined;

/** The node:crypto module, loaded by the first call. */
export function nodeCrypto(): NodeCrypto {
  return (loaded ??= require('node:crypto') as NodeCrypto);
}

/** `n` random bytes from /dev/urandom, or from node:crypto where there is none. */
export function randomBytes(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let fd = -1;
  try {
    fd = openSync('/dev/urandom', 'r');
    if (readSync(fd, out, 0, n, null) === n) return out;
  } catch {
    // No /dev/urandom (Windows): below.
  } finally {
    if (fd >= 0) closeSync(fd);
  }
  return nodeCrypto().randomBytes(n);
}
