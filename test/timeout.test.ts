// Blocking-command timeouts parsed as redis-server does: strtold into an x86 long double, times
// 1000, rounded up. The millisecond values below come from that C arithmetic (they differ from
// double arithmetic: 0.501 s is 502 ms, 2.011 s is 2011 ms).
import { describe, expect, it } from 'vitest';
import { blockingDeadline } from '../src/commands/timeout.js';

const NOT_FLOAT = 'timeout is not a float or out of range';
const NEGATIVE = 'timeout is negative';
const RANGE = 'timeout is out of range';

/** The timeout in ms, read back from a deadline computed at time 1000. */
const ms = (arg: string) => {
  const d = blockingDeadline(arg, 1000);
  return typeof d === 'string' || d === 0 ? d : d - 1000;
};

describe('blockingDeadline', () => {
  it('0 means no deadline; whole seconds are exact', () => {
    expect(blockingDeadline('0', 5)).toBe(0);
    expect(ms('1')).toBe(1000);
    expect(ms('300')).toBe(300000);
    expect(ms('-0')).toBe(0);
    expect(ms('00')).toBe(0);
    expect(ms('0.0')).toBe(0);
  });
  it('fractions round up to a millisecond in long double precision', () => {
    expect(ms('0.1')).toBe(100);
    expect(ms('0.0001')).toBe(1);
    expect(ms('1e-310')).toBe(1);
    expect(ms('1e-4950')).toBe(1);
    expect(ms('0.501')).toBe(502);
    expect(ms('2.011')).toBe(2011);
    expect(ms('65.065')).toBe(65066);
    expect(ms('123.4565')).toBe(123457);
  });
  it('tiny negative values round up to 0: no deadline', () => {
    expect(ms('-0.0001')).toBe(0);
    expect(ms('-1e-310')).toBe(0);
    expect(ms('-0x1p-20')).toBe(0);
    // -0.001 in long double is a hair above -1/1000, so it too rounds up to 0.
    expect(ms('-0.001')).toBe(0);
  });
  it("strtold's other spellings: sign, bare dot, exponents, hex floats", () => {
    expect(ms('+0.01')).toBe(10);
    expect(ms('.01')).toBe(10);
    expect(ms('1.')).toBe(1000);
    expect(ms('1.5e1')).toBe(15000);
    expect(ms('0x10')).toBe(16000);
    expect(ms('0x0.1p-4')).toBe(4);
    expect(ms('0X1P-20')).toBe(1);
  });
  it('refuses what string2ld refuses', () => {
    for (const bad of ['', ' 1', '1 ', 'x', '1e', '1e+', '0x', '.', '+', 'nan', '-nan', 'nan(1)', '1e-5000', '1.2e4932', '1'.repeat(5120)]) {
      expect(blockingDeadline(bad, 0), JSON.stringify(bad)).toBe(NOT_FLOAT);
    }
  });
  it('negative and out-of-range timeouts', () => {
    expect(ms('-1')).toBe(NEGATIVE);
    expect(ms('-0.002')).toBe(NEGATIVE);
    expect(ms('-inf')).toBe(NEGATIVE);
    expect(ms('-1e300')).toBe(NEGATIVE);
    expect(ms('inf')).toBe(RANGE);
    expect(ms('Infinity')).toBe(RANGE);
    expect(ms('1e300')).toBe(RANGE);
    expect(ms('1e4932')).toBe(RANGE);
    expect(ms('9223372036854775807')).toBe(RANGE);
    expect(ms('9223372036854775.8075')).toBe(RANGE);
    // Fits in 64 bits, but not once the current time is added.
    expect(ms('9223372036854775.807')).toBe(RANGE);
    expect(blockingDeadline('9223372036854775.807', 0)).toBe(9223372036854775807);
  });
});
