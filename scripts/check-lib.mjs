// What the checks against Debian's Redis tooling share (check-*.mjs): a free port, RESP
// encoding, and one command on a fresh connection.
import { createServer, connect } from 'node:net';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A port the kernel just had free on 127.0.0.1. */
export const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});

export const enc = (args) => `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');

/** One command on a fresh connection; the raw reply text ('' when nothing answers), up to 5 s. */
export async function ask(port, ...args) {
  const s = connect(port, '127.0.0.1');
  const ok = await new Promise((r) => {
    s.once('connect', () => r(true));
    s.once('error', () => r(false));
  });
  if (!ok) return '';
  let out = '';
  s.on('data', (d) => (out += d));
  s.write(enc(args));
  for (let i = 0; i < 500 && !/\r\n$/.test(out); i++) await sleep(10);
  s.destroy();
  return out;
}
