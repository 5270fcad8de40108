// A command in the form a client sends it, which the propagation stream and a replica passing its
// master's stream on take: where it lies in the arena (Args.wireSpan) when its bytes lie there
// whole, else encoded from the arguments (Args.encode).
import { describe, expect, it } from 'vitest';
import { Args } from '../src/engine/args.js';

const WIRE = '*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$10\r\n0123456789\r\n';

describe('Args.wireSpan and Args.encode', () => {
  it('is found in the arena when the command was read into it whole', () => {
    const arena = Buffer.from(`junk${WIRE}more`, 'latin1');
    const at = (s: string) => arena.indexOf(s, 4);
    const rec = Uint32Array.from([at('SET'), 3, at('key'), 3, at('0123'), 10]);
    const a = new Args();
    a.bind(rec, 0, 3, arena, undefined);
    expect(a.wireSpan()).toBe(true);
    expect(a.source()).toBe(arena);
    expect(arena.toString('latin1', a.spanStart, a.spanEnd)).toBe(WIRE);
  });

  it('encode() copies a command read whole in one go: the same bytes, owned', () => {
    for (const value of ['0123456789', 'v'.repeat(100)]) {
      const wire = `*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$${value.length}\r\n${value}\r\n`;
      const arena = Buffer.from(`junk${wire}more`, 'latin1');
      const at = (s: string) => arena.indexOf(s, 4);
      const a = new Args();
      a.bind(Uint32Array.from([at('SET'), 3, at('key'), 3, at(value), value.length]), 0, 3, arena, undefined);
      const e = a.encode();
      expect(e.toString('latin1')).toBe(wire);
      arena.fill(0);
      expect(e.toString('latin1')).toBe(wire);
    }
  });

  it('is encoded when the arguments were moved (a query buffer), given as strings, or big', () => {
    const moved = Args.of(['SET', 'key', '0123456789']);
    expect(moved.wireSpan()).toBe(false);
    expect(moved.encode().toString('latin1')).toBe(WIRE);
    const s = new Args();
    s.setStrings(['SET', 'key', '0123456789']);
    expect(s.wireSpan()).toBe(false);
    expect(s.encode().toString('latin1')).toBe(WIRE);
    // A big argument: its own block of length + 2 bytes, ending in CRLF.
    const big = Buffer.from('0123456789\r\n', 'latin1');
    const arena = Buffer.from('SETkey', 'latin1');
    const b = new Args();
    b.bind(Uint32Array.from([0, 3, 3, 3, 0, 0xffffffff]), 0, 3, arena, [big.buffer.slice(big.byteOffset, big.byteOffset + big.length) as ArrayBuffer]);
    expect(b.wireSpan()).toBe(false);
    expect(b.encode().toString('latin1')).toBe(WIRE);
  });

  it('counts digits of every length', () => {
    const v = 'x'.repeat(12345);
    expect(Args.of(['A', v]).encode().toString('latin1')).toBe(`*2\r\n$1\r\nA\r\n$12345\r\n${v}\r\n`);
  });
});
