// LOLWUT: the version line by default (Redis 7.x), Schotter in braille with VERSION 5, the skyline
// in ANSI colours with VERSION 6; random drawings, so their shape is checked, not their pixels.
import { afterAll, describe, expect, it } from 'vitest';
import { bulk, err, RawClient, startServer } from './helpers.js';

const server = await startServer();
const c = await RawClient.connect(server.port);
afterAll(() => c.close());

const payload = (reply: string): string => Buffer.from(reply.slice(reply.indexOf('\r\n') + 2, -2), 'latin1').toString('utf8');

describe('LOLWUT', () => {
  it('answers the version, ignoring other arguments, as a verbatim string under RESP3', async () => {
    expect(await c.call('LOLWUT')).toBe(bulk('Redis ver. 7.2.4\n'));
    expect(await c.call('LOLWUT', 'whatever', 'args')).toBe(bulk('Redis ver. 7.2.4\n'));
    expect(await c.call('LOLWUT', 'VERSION', '7')).toBe(bulk('Redis ver. 7.2.4\n'));
    const r3 = await RawClient.connect(server.port);
    await r3.call('HELLO', '3');
    expect(await r3.call('LOLWUT')).toBe('=21\r\ntxt:Redis ver. 7.2.4\n\r\n');
    r3.close();
  });

  it('VERSION 5 draws Schotter: rows of braille, the first two rows of squares straight', async () => {
    const art = payload(await c.call('LOLWUT', 'VERSION', '5', '10', '3', '3'));
    const lines = art.split('\n');
    expect(lines.at(-2)).toBe('Georg Nees - schotter, plotter on paper, 1968. Redis ver. 7.2.4');
    // 10 columns of 2x4-pixel cells; the canvas is 3 squares of 16/3 pixels plus padding high.
    const rows = lines.slice(0, -3);
    expect(rows).toHaveLength(5);
    for (const row of rows) expect([...row].every((ch) => ch.codePointAt(0)! >= 0x2800 && ch.codePointAt(0)! <= 0x28ff)).toBe(true);
    expect(rows[0]).toBe('⢰⠒⠒⢲⠒⠒⣶⠒⠒⡆');
    expect(rows[1]).toBe('⢸⣀⣀⣸⣀⣀⣿⣀⣀⡇');
  });

  it('VERSION 6 draws a skyline of coloured cells, and bad numbers are errors', async () => {
    const art = payload(await c.call('LOLWUT', 'VERSION', '6', '12', '5'));
    const lines = art.split('\n');
    expect(lines.slice(-3, -1)).toEqual(['Dedicated to the 8 bit game developers of past and present.', 'Original 8 bit image from Plaguemon by hikikomori. Redis ver. 7.2.4']);
    for (const row of lines.slice(0, 5)) expect(row.match(/\x1b\[0;\d+;\d+m \x1b\[0m/g)).toHaveLength(12);
    expect(await c.call('LOLWUT', 'VERSION', 'x')).toBe(err('value is not an integer or out of range'));
    expect(await c.call('LOLWUT', 'VERSION', '5', 'x')).toBe(err('value is not an integer or out of range'));
  });
});
