// The replication stream of a scenario, as a replica sees it: shared by
// scripts/record-propagation.mjs (recording redis-server) and test/propagation.test.ts (respd).
// A scenario is text: one command per line (redis-cli quoting), `@name COMMAND ...` to send on
// another connection without waiting for its reply (a client that blocks), `#sleep MS`, and
// `#` comments. The server is flushed, a replica attaches (PSYNC ? -1), the commands run, then a
// PUBLISH marks the end of the stream. PINGs and GETACKs are dropped; ms timestamps and stream IDs
// made of them are masked, so that recordings compare across runs.
import { connect } from 'node:net';
import { encode, splitCommandLine, valueEnd } from './scenario-lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A connection that reads whole RESP values. */
class Conn {
  constructor(socket) {
    this.socket = socket;
    this.buf = '';
    this.wakers = [];
    socket.on('data', (d) => {
      this.buf += d.toString('latin1');
      for (const w of this.wakers.splice(0)) w();
    });
  }

  static async open(port) {
    const s = connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => {
      s.once('connect', resolve);
      s.once('error', reject);
    });
    s.setNoDelay(true);
    return new Conn(s);
  }

  send(args) {
    this.socket.write(encode(args));
  }

  /** Waits until `test(buf)` gives a result (not undefined), up to `ms`. */
  async until(test, ms = 5000) {
    const end = Date.now() + ms;
    for (;;) {
      const r = test(this.buf);
      if (r !== undefined) return r;
      if (Date.now() > end) throw new Error(`timed out; have ${JSON.stringify(this.buf.slice(0, 300))}`);
      await new Promise((resolve) => {
        this.wakers.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  }

  /** One reply (any RESP2 value), removed from the buffer. */
  async reply() {
    return this.until((b) => {
      const end = valueEnd(b, 0);
      if (end < 0) return undefined;
      this.buf = b.slice(end);
      return b.slice(0, end);
    });
  }

  close() {
    this.socket.destroy();
  }
}

/** The commands of a stream (arrays of bulk strings). */
function parseStream(b) {
  const out = [];
  let i = 0;
  while (i < b.length) {
    const end = valueEnd(b, i);
    if (end < 0) break;
    const nl = b.indexOf('\r\n', i);
    const n = Number(b.slice(i + 1, nl));
    let at = nl + 2;
    const argv = [];
    for (let k = 0; k < n; k++) {
      const nl2 = b.indexOf('\r\n', at);
      const len = Number(b.slice(at + 1, nl2));
      argv.push(b.slice(nl2 + 2, nl2 + 2 + len));
      at = nl2 + 2 + len + 2;
    }
    out.push(argv);
    i = end;
  }
  return out;
}

/** Masks what changes from run to run: ms timestamps (13 digits) alone or in stream IDs. */
function mask(argv) {
  return argv.map((a) => a.replace(/^\d{13}(?=$|-)/, '<ms>'));
}

const MARKER = '__propagation_end__';

/** Runs `scenario` (text) against the server on `port` and returns the stream's commands. */
export async function captureStream(port, scenario) {
  const admin = await Conn.open(port);
  admin.send(['FLUSHALL']);
  await admin.reply();
  admin.send(['SCRIPT', 'FLUSH']);
  await admin.reply();
  admin.send(['FUNCTION', 'FLUSH']);
  await admin.reply();
  const replica = await Conn.open(port);
  replica.send(['REPLCONF', 'capa', 'psync2']);
  await replica.reply();
  replica.send(['PSYNC', '?', '-1']);
  const start = await replica.until((b) => {
    const m = /^\+FULLRESYNC \S+ \d+\r\n(\n*)\$(\d+)\r\n/.exec(b);
    if (!m) return undefined;
    const at = m[0].length + Number(m[2]);
    return b.length >= at ? at : undefined;
  });
  replica.buf = replica.buf.slice(start);
  // A replica acknowledges once loaded; Redis streams commands to it from then on.
  replica.send(['REPLCONF', 'ACK', '0']);
  const conns = new Map([['', await Conn.open(port)]]);
  for (const raw of scenario.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#sleep ')) {
      await sleep(Number(line.slice(7)));
      continue;
    }
    if (line.startsWith('#')) continue;
    const named = /^@(\w+)\s+(.*)$/.exec(line);
    const name = named ? named[1] : '';
    if (!conns.has(name)) conns.set(name, await Conn.open(port));
    const c = conns.get(name);
    c.send(splitCommandLine(named ? named[2] : line));
    if (!named) await c.reply();
    else await sleep(50);
  }
  const main = conns.get('');
  main.send(['PUBLISH', MARKER, 'end']);
  await main.reply();
  const stream = await replica.until((b) => {
    const cmds = parseStream(b);
    const at = cmds.findIndex((c) => c[0].toUpperCase() === 'PUBLISH' && c[1] === MARKER);
    return at < 0 ? undefined : cmds.slice(0, at);
  });
  for (const c of [admin, replica, ...conns.values()]) c.close();
  return stream
    .filter((c) => !(c.length === 1 && c[0].toUpperCase() === 'PING') && !(c[0].toUpperCase() === 'REPLCONF'))
    .map(mask);
}
