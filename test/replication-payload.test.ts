// The full sync's payload as it comes off the master link (src/replication/payload.ts), cut at
// every point: the `$<length>` form and the diskless `$EOF:<mark>` form, keepalive newlines before
// the header, bytes that look like the start of the mark inside and at the end of the payload, and
// the stream's first bytes after the payload in the same read.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PayloadReader, type PayloadDone } from '../src/replication/payload.js';

/**
 * Pushes `wire` in two reads cut at `cut`. A read after the one that ended the payload is not the
 * reader's (the replica hands it to the stream): it is added to the rest here.
 */
function readCut(wire: Buffer, cut: number): { reader: PayloadReader; done: PayloadDone | string | undefined } {
  const reader = new PayloadReader();
  let done = reader.push(wire.subarray(0, cut));
  if (done === undefined) done = reader.push(wire.subarray(cut));
  else if (typeof done === 'object') done = { payload: done.payload, rest: Buffer.concat([done.rest, wire.subarray(cut)]) };
  return { reader, done };
}

describe('full sync payload reader', () => {
  const stream = Buffer.from('*1\r\n$4\r\nPING\r\n');

  it('reads an EOF-marked payload whose last bytes are the start of the mark, cut anywhere', () => {
    // The payload ends with the mark's first 39 characters and holds them once more inside: only
    // the whole mark ends it. A mark with a period (its last character equal to its first, 1 in 16
    // random marks) would make those 39 and the mark's first character a whole mark a byte early,
    // where a replica rightly ends the payload: such marks and random bytes holding the mark are
    // drawn again.
    let mark: string;
    let payload: Buffer;
    do {
      mark = randomBytes(20).toString('hex');
      payload = Buffer.concat([Buffer.from('REDIS0011'), Buffer.from(mark.slice(0, 39)), randomBytes(300), Buffer.from(mark.slice(0, 39))]);
    } while (Buffer.concat([payload, Buffer.from(mark)]).indexOf(mark) !== payload.length);
    const wire = Buffer.concat([Buffer.from(`\n\n$EOF:${mark}\r\n`), payload, Buffer.from(mark), stream]);
    for (let cut = 0; cut <= wire.length; cut++) {
      const { reader, done } = readCut(wire, cut);
      if (typeof done !== 'object') throw new Error(`cut ${cut}: ${String(done)}`);
      expect(done.payload.equals(payload)).toBe(true);
      expect(done.rest.equals(stream)).toBe(true);
      expect(reader.read).toBe(payload.length);
    }
  });

  it('ends a payload at the first whole mark, as a master that sends random hex marks means it', () => {
    // The reason the handshake test's mark is random: with a mark of one repeated character, a
    // payload ending in that character is indistinguishable from one a byte shorter.
    const mark = 'a'.repeat(40);
    const payload = Buffer.from('REDIS0011xyza');
    const done = new PayloadReader().push(Buffer.concat([Buffer.from(`$EOF:${mark}\r\n`), payload, Buffer.from(mark)]));
    expect(typeof done === 'object' && done.payload.toString()).toBe('REDIS0011xyz');
  });

  it('reads a payload with a length, cut anywhere, with the stream after it', () => {
    const payload = randomBytes(200);
    const wire = Buffer.concat([Buffer.from(`\n$${payload.length}\r\n`), payload, stream]);
    for (let cut = 0; cut <= wire.length; cut++) {
      const { reader, done } = readCut(wire, cut);
      if (typeof done !== 'object') throw new Error(`cut ${cut}: ${String(done)}`);
      expect(done.payload.equals(payload)).toBe(true);
      expect(done.rest.equals(stream)).toBe(true);
      expect(reader.total).toBe(payload.length);
      expect(reader.read).toBe(payload.length);
    }
  });

  it("answers a master's error and a header that is not one with readSyncBulkPayload's texts", () => {
    expect(new PayloadReader().push(Buffer.from('\n-ERR no way\r\n'))).toBe('MASTER aborted replication with an error: ERR no way');
    expect(new PayloadReader().push(Buffer.from('+OK\r\n'))).toBe(
      "Bad protocol from MASTER, the first byte is not '$' (we received '+OK'), are you sure the host and port are right?",
    );
    expect(new PayloadReader().push(Buffer.from('$-3\r\n'))).toBe("Bad protocol from MASTER: '$-3'");
    // Incomplete: more bytes are needed, nothing is decided.
    expect(new PayloadReader().push(Buffer.from('$10\r\nabc'))).toBeUndefined();
  });
});
