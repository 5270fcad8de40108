// How sorted set scores are read and printed: strtod as glibc reads it (string2d for scores and
// weights, zslParseRange for bounds), lex bounds, Redis 7.2's d2string (integers, then Grisu2 as
// deps/fpconv prints it, checked against values taken from the C implementation) and "%.17g".
import { describe, expect, it } from 'vitest';
import { parseLexRange, parseScore, parseScoreRange, strtod } from '../src/commands/zset-args.js';
import { d2string, formatG17 } from '../src/protocol/fpconv.js';
import { formatDouble } from '../src/protocol/reply.js';

function fromBits(hex: string): number {
  const b = new BigUint64Array([BigInt('0x' + hex)]);
  return new Float64Array(b.buffer)[0];
}

describe('d2string (addReplyDouble, 7.2)', () => {
  it('prints integral values within +-2^62 as integers', () => {
    expect(d2string(1)).toBe('1');
    expect(d2string(-42)).toBe('-42');
    expect(d2string(1e18)).toBe('1000000000000000000');
    expect(d2string(2 ** 62)).toBe('4611686018427387904');
    expect(d2string(-(2 ** 62))).toBe('-4611686018427387904');
    expect(d2string(9007199254740993)).toBe('9007199254740992');
  });
  it('prints the rest as fpconv_dtoa does', () => {
    expect(d2string(0.1)).toBe('0.1');
    expect(d2string(1.5)).toBe('1.5');
    expect(d2string(-2.5)).toBe('-2.5');
    expect(d2string(1e100)).toBe('1e+100');
    expect(d2string(5e18)).toBe('5e+18');
    expect(d2string(1e20)).toBe('1e+20');
    expect(d2string(2 ** 63)).toBe('9223372036854776000');
    expect(d2string(1e21)).toBe('1e+21');
    expect(d2string(1.5e-7)).toBe('1.5e-7');
    expect(d2string(1e-6)).toBe('0.000001');
    expect(d2string(0.000025)).toBe('0.000025');
    expect(d2string(123456.789)).toBe('123456.789');
    expect(d2string(1 / 3)).toBe('0.3333333333333333');
    expect(d2string(Number.MAX_VALUE)).toBe('1.7976931348623157e+308');
    expect(d2string(Number.MIN_VALUE)).toBe('5e-324');
    expect(d2string(2.2250738585072014e-308)).toBe('2.2250738585072014e-308');
  });
  it('keeps Grisu2 digits where they are not the shortest (values from the C code)', () => {
    expect(d2string(fromBits('44777e494a617eea'))).toBe('6934000000000001000000');
    expect(d2string(fromBits('3c114cd5df82bdd7'))).toBe('2.3446059607075912e-19');
    expect(d2string(fromBits('44453a8e3ab57fbe'))).toBe('783201999999999900000');
    expect(d2string(fromBits('4433bd719b3579f8'))).toBe('364139000000000030000');
  });
  it('spells out the specials, -0 included; formatDouble is d2string', () => {
    expect(d2string(Infinity)).toBe('inf');
    expect(d2string(-Infinity)).toBe('-inf');
    expect(d2string(NaN)).toBe('nan');
    expect(d2string(-0)).toBe('-0');
    expect(d2string(0)).toBe('0');
    expect(formatDouble(0.1)).toBe('0.1');
    expect(formatDouble(-0)).toBe('-0');
  });
});

describe('formatG17 (printf %.17g, ZSCAN of large sets)', () => {
  it('prints 17 significant digits, trailing zeros dropped', () => {
    expect(formatG17(0.1)).toBe('0.10000000000000001');
    expect(formatG17(1.5)).toBe('1.5');
    expect(formatG17(100)).toBe('100');
    expect(formatG17(1e-5)).toBe('1.0000000000000001e-05');
    expect(formatG17(0.0001)).toBe('0.0001');
    expect(formatG17(5e18)).toBe('5e+18');
    expect(formatG17(1e17)).toBe('1e+17');
    expect(formatG17(12345678901234567)).toBe('12345678901234568');
    expect(formatG17(1e100)).toBe('1e+100');
    expect(formatG17(-Infinity)).toBe('-inf');
  });
  it('rounds exact ties to even, as glibc does', () => {
    expect(formatG17(1544893500807993.25)).toBe('1544893500807993.2');
    expect(formatG17(-406966461947406.125)).toBe('-406966461947406.12');
  });
});

describe('strtod', () => {
  it('reads decimal, hexadecimal, inf and nan forms, reporting where it stopped', () => {
    expect(strtod('1.5e3x')).toEqual({ value: 1500, end: 5, erange: false });
    expect(strtod('  -.5')).toEqual({ value: -0.5, end: 5, erange: false });
    expect(strtod('1e')).toEqual({ value: 1, end: 1, erange: false });
    expect(strtod('1e+')).toEqual({ value: 1, end: 1, erange: false });
    expect(strtod('0x10')).toEqual({ value: 16, end: 4, erange: false });
    expect(strtod('0x1.8p1')).toEqual({ value: 3, end: 7, erange: false });
    expect(strtod('0xg')).toEqual({ value: 0, end: 1, erange: false });
    expect(strtod('-Infinity')).toEqual({ value: -Infinity, end: 9, erange: false });
    expect(strtod('infx').end).toBe(3);
    expect(strtod('nan(abc)').end).toBe(8);
    expect(strtod('nan(').end).toBe(3);
    expect(strtod('abc')).toEqual({ value: 0, end: 0, erange: false });
    expect(strtod('.')).toEqual({ value: 0, end: 0, erange: false });
  });
  it('flags overflow and underflow to zero, and rounds hex to nearest even', () => {
    expect(strtod('1e400')).toEqual({ value: Infinity, end: 5, erange: true });
    expect(strtod('1e-400')).toEqual({ value: 0, end: 6, erange: true });
    expect(strtod('0e-400').erange).toBe(false);
    expect(strtod('0x1p-1074').value).toBe(Number.MIN_VALUE);
    expect(strtod('0x1p-1076')).toEqual({ value: 0, end: 9, erange: true });
    expect(strtod('0x1.00000000000008p0').value).toBe(1); // a tie, to even
    expect(strtod('0x1.00000000000018p0').value).toBe(1 + 2 * 2 ** -52);
    expect(strtod('0x1p1024').value).toBe(Infinity);
  });
});

describe('parseScore (string2d) and range bounds (zslParseRange)', () => {
  it('scores: the whole argument, no leading space, no overflow, no NaN', () => {
    expect(parseScore('1.5')).toBe(1.5);
    expect(parseScore('+inf')).toBe(Infinity);
    expect(parseScore('-INF')).toBe(-Infinity);
    expect(parseScore('0x10')).toBe(16);
    expect(parseScore('1e-310')).toBe(1e-310);
    for (const bad of ['', ' 1', '1 ', 'abc', 'nan', '1e400', '1e-400', '1\u00002', '--1']) expect(parseScore(bad), bad).toBeNull();
  });
  it('plain integers (read without strtod) as strtod reads them, -0 included', () => {
    for (const t of ['0', '7', '-7', '-0', '007', '123456789012345', '-999999999999999', '1234567890123456', '-', '+5', '12a', '1.0']) {
      const r = strtod(t);
      const expected = r.end === t.length && t.length > 0 ? r.value : null;
      expect(Object.is(parseScore(t), expected), t).toBe(true);
    }
  });
  it('range bounds: "(" for exclusive, leading spaces and "" accepted, up to a NUL', () => {
    expect(parseScoreRange('(1', '5')).toEqual({ min: 1, minex: true, max: 5, maxex: false });
    expect(parseScoreRange('', '(')).toEqual({ min: 0, minex: false, max: 0, maxex: true });
    expect(parseScoreRange(' 1', '1e400')).toEqual({ min: 1, minex: false, max: Infinity, maxex: false });
    expect(parseScoreRange('1\u0000junk', '2')).toEqual({ min: 1, minex: false, max: 2, maxex: false });
    expect(parseScoreRange('1 ', '2')).toBeNull();
    expect(parseScoreRange('1', 'nan')).toBeNull();
    expect(parseScoreRange('x', '2')).toBeNull();
  });
  it('lex bounds: "-", "+", "(" and "["', () => {
    expect(parseLexRange('-', '+')).toEqual({ min: { inf: -1 }, max: { inf: 1 } });
    expect(parseLexRange('[a', '(b')).toEqual({ min: { inf: 0, value: 'a', ex: false }, max: { inf: 0, value: 'b', ex: true } });
    expect(parseLexRange('(', '[')).toEqual({ min: { inf: 0, value: '', ex: true }, max: { inf: 0, value: '', ex: false } });
    expect(parseLexRange('-\u0000x', '+')).toEqual({ min: { inf: -1 }, max: { inf: 1 } });
    for (const bad of ['', 'a', '-a', '+a']) expect(parseLexRange(bad, '+'), bad).toBeNull();
  });
});
