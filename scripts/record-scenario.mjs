#!/usr/bin/env node
// Records a resp-diff scenario's replies from a reference server (Debian's redis-server) into
// <scenario>.expected.json, so test/scenario-replay.test.ts can replay it against respd in CI
// without redis-server installed. Only plain command lines on the main connection are recorded.
//   node scripts/record-scenario.mjs --port 6379 test/scenarios/strings.txt
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { splitCommandLine, encode, replyLength } from './scenario-lib.mjs';

const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1]);
const file = args[args.length - 1];
const steps = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#') && !/^[@!~]/.test(l));
const sock = connect(port, '127.0.0.1');
await new Promise((r) => sock.once('connect', r));
let buf = Buffer.alloc(0);
sock.on('data', (d) => (buf = Buffer.concat([buf, d])));
const out = [];
for (const line of steps) {
  sock.write(encode(splitCommandLine(line)));
  for (let i = 0; i < 500; i++) {
    const n = replyLength(buf);
    if (n > 0) {
      out.push([line, buf.subarray(0, n).toString('latin1')]);
      buf = buf.subarray(n);
      break;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}
sock.destroy();
writeFileSync(file.replace(/\.txt$/, '.expected.json'), JSON.stringify(out, null, 0).replace(/\],\[/g, '],\n['));
console.log(`recorded ${out.length} replies`);
