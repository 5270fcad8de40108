// ReplyWriter on its own: RESP2/RESP3 encoding byte for byte (headers are written digit by
// digit, with no number-to-string), segments per client, the area filling up, raw big payloads.
import { describe, expect, it } from 'vitest';
import { ReplyWriter } from '../src/protocol/reply.js';

/** A writer whose sink collects what each slot received, in order. */
function writer(areaSize?: number, maxRecords?: number) {
  const got = new Map<number, string>();
  const add = (slot: number, s: string) => got.set(slot, (got.get(slot) ?? '') + s);
  let commits = 0;
  const w: ReplyWriter = new ReplyWriter({
    commit(n) {
      commits++;
      for (let i = 0; i < n; i++) add(w.index[i * 3]!, w.area.toString('latin1', w.index[i * 3 + 1], w.index[i * 3 + 2]));
    },
    appendRaw(slot, bytes) {
      add(slot, Buffer.from(bytes).toString('latin1'));
    },
  }, areaSize, maxRecords);
  return { w, got, commits: () => commits };
}

const EDGES = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 9999, 10000, 65535, 99999, 100000, 999999, 1000000,
  123456789, 999999999, 1000000000, 2147483646, 2147483647];

describe('ReplyWriter', () => {
  it('integers: every digit boundary, negatives, beyond 32 bits and bigints', () => {
    const { w, got } = writer();
    w.begin(1, 2);
    const values: (number | bigint)[] = [...EDGES, -1, -10, -2147483648, 2147483648, 4294967296, 9007199254740991, -0,
      9223372036854775807n, -9223372036854775808n];
    for (const v of values) w.integer(v);
    w.commit();
    expect(got.get(1)).toBe(values.map((v) => `:${String(v)}\r\n`).join(''));
  });

  it('integers: every value up to 100000 and random ones up to 2^31, each as String() writes it', () => {
    const { w, got } = writer(1 << 22);
    w.begin(1, 2);
    const values: number[] = [];
    for (let i = 0; i <= 100000; i++) values.push(i);
    for (let i = 0; i < 20000; i++) values.push(Math.floor(Math.random() * 2 ** 31));
    for (const v of values) w.integer(v);
    // Counts past int32 take the other path.
    for (const n of [2 ** 31 - 1, 2 ** 31, 2 ** 32 + 7, 2 ** 53 - 1]) w.array(n);
    w.commit();
    expect(got.get(1)).toBe(values.map((v) => `:${v}\r\n`).join('') + '*2147483647\r\n*2147483648\r\n*4294967303\r\n*9007199254740991\r\n');
  });

  it('bulk lengths and aggregate counts at every digit boundary', () => {
    const { w, got } = writer(1 << 22);
    w.begin(2, 2);
    let want = '';
    for (const n of EDGES.filter((x) => x <= 100001)) {
      const s = 'x'.repeat(n);
      w.bulkStr(s);
      want += `$${n}\r\n${s}\r\n`;
      w.array(n);
      want += `*${n}\r\n`;
      w.map(n);
      want += `*${n * 2}\r\n`;
    }
    w.commit();
    expect(got.get(2)).toBe(want);
  });

  it('RESP3 headers and nulls, RESP2 fallbacks', () => {
    const { w, got } = writer();
    w.begin(3, 3);
    w.map(12);
    w.set(7);
    w.push(3);
    w.nullBulk();
    w.nullArray();
    w.bool(true);
    w.verbatim('hello');
    w.begin(4, 2);
    w.set(7);
    w.push(3);
    w.nullBulk();
    w.nullArray();
    w.bool(false);
    w.verbatim('hello');
    w.commit();
    expect(got.get(3)).toBe('%12\r\n~7\r\n>3\r\n_\r\n_\r\n#t\r\n=9\r\ntxt:hello\r\n');
    expect(got.get(4)).toBe('*7\r\n*3\r\n$-1\r\n*-1\r\n:0\r\n$5\r\nhello\r\n');
  });

  it('a full area is committed mid-batch and nothing is lost or reordered', () => {
    const { w, got, commits } = writer(4096, 8);
    let want1 = '';
    let want2 = '';
    for (let i = 0; i < 500; i++) {
      w.begin(i % 2 === 0 ? 1 : 2, 2);
      const s = `v${i}`.repeat(i % 7);
      w.bulkStr(s);
      w.integer(i);
      if (i % 2 === 0) want1 += `$${s.length}\r\n${s}\r\n:${i}\r\n`;
      else want2 += `$${s.length}\r\n${s}\r\n:${i}\r\n`;
    }
    w.commit();
    expect(commits()).toBeGreaterThan(2);
    expect(got.get(1)).toBe(want1);
    expect(got.get(2)).toBe(want2);
  });

  it('payloads of 64 KiB and more go to the sink raw, between the header and the CRLF', () => {
    const { w, got } = writer();
    w.begin(5, 2);
    const b = Buffer.alloc(70000, 0x61);
    w.integer(1);
    w.bulk(b);
    w.integer(2);
    w.commit();
    expect(got.get(5)).toBe(`:1\r\n$70000\r\n${'a'.repeat(70000)}\r\n:2\r\n`);
  });
  it('replies bigger than the area of every kind take the raw path: verbatim, status, error, big numbers, raw text', () => {
    const { w, got } = writer(4096);
    const big = 'x'.repeat(100_000);
    w.begin(3, 3);
    w.verbatim(big);
    w.status(big);
    w.error('-E ' + big);
    w.bigNumber('9'.repeat(70_000));
    w.rawAscii(`+${big}\r\n`);
    w.begin(3, 2);
    w.verbatim(big);
    w.commit();
    expect(got.get(3)).toBe(`=100004\r\ntxt:${big}\r\n+${big}\r\n-E ${big}\r\n(${'9'.repeat(70_000)}\r\n+${big}\r\n$100000\r\n${big}\r\n`);
  });
});
