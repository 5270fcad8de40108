// LOLWUT [VERSION v] [args...] (lolwut.c, lolwut5.c, lolwut6.c): Redis's computer art. The
// default for a 7.x server is one line with the version; VERSION 5 draws Georg Nees's "Schotter"
// in braille characters, VERSION 6 a skyline in ANSI colours. Both are random by design.
import { REDIS_VERSION } from '../config/version.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { longLongArg } from './streams.js';

const F = CmdFlag;

/** C's rand(): 0 .. RAND_MAX. */
const RAND_MAX = 2147483647;
const rand = (): number => Math.floor(Math.random() * (RAND_MAX + 1));

class Canvas {
  readonly pixels: Uint8Array;
  constructor(readonly width: number, readonly height: number, bg: number) {
    this.pixels = new Uint8Array(width * height).fill(bg);
  }
  draw(x: number, y: number, color: number): void {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return;
    this.pixels[x + y * this.width] = color;
  }
  get(x: number, y: number): number {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return 0;
    return this.pixels[x + y * this.width]!;
  }
  line(x1: number, y1: number, x2: number, y2: number, color: number): void {
    const dx = Math.abs(x2 - x1);
    const dy = Math.abs(y2 - y1);
    const sx = x1 < x2 ? 1 : -1;
    const sy = y1 < y2 ? 1 : -1;
    let err = dx - dy;
    for (;;) {
      this.draw(x1, y1, color);
      if (x1 === x2 && y1 === y2) break;
      const e2 = err * 2;
      if (e2 > -dy) {
        err -= dy;
        x1 += sx;
      }
      if (e2 < dx) {
        err += dx;
        y1 += sy;
      }
    }
  }
  square(x: number, y: number, size: number, angle: number, color: number): void {
    size = Math.round(Math.fround(size / 1.4142135623));
    const px: number[] = [];
    const py: number[] = [];
    let k = Math.fround(Math.PI / 4 + angle);
    for (let j = 0; j < 4; j++) {
      px.push(Math.round(Math.sin(k) * size + x));
      py.push(Math.round(Math.cos(k) * size + y));
      k = Math.fround(k + Math.PI / 2);
    }
    for (let j = 0; j < 4; j++) this.line(px[j]!, py[j]!, px[(j + 1) % 4]!, py[(j + 1) % 4]!, color);
  }
}

/** The canvas in braille: each character is 2x4 pixels (lolwut5.c renderCanvas), UTF-8 bytes. */
function brailleText(c: Canvas): string {
  const bytes: number[] = [];
  for (let y = 0; y < c.height; y += 4) {
    for (let x = 0; x < c.width; x += 2) {
      let b = 0;
      if (c.get(x, y)) b |= 1 << 0;
      if (c.get(x, y + 1)) b |= 1 << 1;
      if (c.get(x, y + 2)) b |= 1 << 2;
      if (c.get(x + 1, y)) b |= 1 << 3;
      if (c.get(x + 1, y + 1)) b |= 1 << 4;
      if (c.get(x + 1, y + 2)) b |= 1 << 5;
      if (c.get(x, y + 3)) b |= 1 << 6;
      if (c.get(x + 1, y + 3)) b |= 1 << 7;
      const code = 0x2800 + b;
      bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    }
    if (y !== c.height - 1) bytes.push(10);
  }
  return Buffer.from(bytes).toString('latin1');
}

function schotter(cols: number, perRow: number, perCol: number): Canvas {
  const width = cols * 2;
  const padding = width > 4 ? 2 : 0;
  const side = Math.fround((width - padding * 2) / perRow);
  const c = new Canvas(width, Math.trunc(side * perCol + padding * 2), 0);
  for (let y = 0; y < perCol; y++) {
    for (let x = 0; x < perRow; x++) {
      let sx = Math.trunc(x * side + side / 2 + padding);
      let sy = Math.trunc(y * side + side / 2 + padding);
      let angle = 0;
      if (y > 1) {
        let r1 = Math.fround((rand() / RAND_MAX / perCol) * y);
        let r2 = Math.fround((rand() / RAND_MAX / perCol) * y);
        let r3 = Math.fround((rand() / RAND_MAX / perCol) * y);
        if (rand() % 2) r1 = -r1;
        if (rand() % 2) r2 = -r2;
        if (rand() % 2) r3 = -r3;
        angle = r1;
        sx = Math.trunc(sx + (r2 * side) / 3);
        sy = Math.trunc(sy + (r3 * side) / 3);
      }
      c.square(sx, sy, side, angle, 1);
    }
  }
  return c;
}

function skyscraper(c: Canvas, s: { xoff: number; width: number; height: number; windows: boolean; color: number }): void {
  const starty = c.height - 1;
  const endy = starty - s.height + 1;
  for (let y = starty; y >= endy; y--) {
    for (let x = s.xoff; x < s.xoff + s.width; x++) {
      if (y === endy && (x <= s.xoff + 1 || x >= s.xoff + s.width - 2)) continue;
      let color = s.color;
      if (s.windows && x > s.xoff + 1 && x < s.xoff + s.width - 2 && y > endy + 1 && y < starty - 1) {
        const relx = x - (s.xoff + 1);
        const rely = y - (endy + 1);
        if (Math.trunc(relx / 2) % 2 && rely % 2) {
          do color = 1 + (rand() % 2);
          while (color === s.color);
          if (relx % 2) color = c.get(x - 1, y);
        }
      }
      c.draw(x, y, color);
    }
  }
}

function skyline(c: Canvas): void {
  const h = c.height;
  for (let color = 2; color >= 1; color--) {
    for (let offset = -10; offset < c.width; ) {
      offset += rand() % 8;
      const width = 10 + (rand() % 9);
      const height = color === 2 ? Math.trunc(h / 2) + Math.trunc((rand() % h) / 2) : Math.trunc(h / 2) + Math.trunc((rand() % h) / 3);
      skyscraper(c, { xoff: offset, width, height, windows: false, color });
      offset += color === 2 ? Math.trunc(width / 2) : width + 1;
    }
  }
  for (let offset = -10; offset < c.width; ) {
    offset += rand() % 8;
    let width = 5 + (rand() % 14);
    if (width % 4) width += width % 3;
    const height = Math.trunc(h / 3) + Math.trunc((rand() % h) / 2);
    skyscraper(c, { xoff: offset, width, height, windows: true, color: 0 });
    offset += width + 5;
  }
}

const COLORS = ['0;30;40m', '0;90;100m', '0;37;47m', '0;97;107m'];

function ansiText(c: Canvas): string {
  let out = '';
  for (let y = 0; y < c.height; y++) {
    for (let x = 0; x < c.width; x++) out += `\x1b[${COLORS[c.get(x, y)] ?? COLORS[0]} \x1b[0m`;
    if (y !== c.height - 1) out += '\n';
  }
  return out;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

function lolwut(call: CommandCall): void {
  const { args, reply } = call;
  let version = Number(REDIS_VERSION.split('.')[0]);
  let first = 1;
  if (args.count >= 3 && args.is(1, 'version')) {
    const v = longLongArg(call, 2);
    if (v === null) return;
    version = v;
    first = 3;
  }
  // The numbers after the version (or after LOLWUT) that the version's drawing reads.
  const wanted = version === 5 ? 3 : version === 6 ? 2 : 0;
  const nums: number[] = [];
  for (let i = first; i < args.count && nums.length < wanted; i++) {
    const n = longLongArg(call, i);
    if (n === null) return;
    nums.push(n);
  }
  if (version === 5) {
    const c = schotter(clamp(nums[0] ?? 66, 1, 1000), clamp(nums[1] ?? 8, 1, 200), clamp(nums[2] ?? 12, 1, 200));
    reply.verbatim(`${brailleText(c)}\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ${REDIS_VERSION}\n`);
  } else if (version === 6) {
    const c = new Canvas(clamp(nums[0] ?? 80, 1, 1000), clamp(nums[1] ?? 20, 1, 1000), 3);
    skyline(c);
    reply.verbatim(`${ansiText(c)}\nDedicated to the 8 bit game developers of past and present.\nOriginal 8 bit image from Plaguemon by hikikomori. Redis ver. ${REDIS_VERSION}\n`);
  } else {
    reply.verbatim(`Redis ver. ${REDIS_VERSION}\n`);
  }
}

export const lolwutCommands: CommandDef[] = [
  {
    name: 'lolwut', arity: -1, flags: F.Readonly | F.Fast, acl: ['read', 'fast'], group: 'server', since: '5.0.0',
    summary: 'Displays computer art and the Redis version', complexity: '',
    handler: lolwut,
  },
];
