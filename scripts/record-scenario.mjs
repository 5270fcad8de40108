#!/usr/bin/env node
// Records a resp-diff scenario's replies from a reference server (Debian's redis-server) into
// <scenario>.expected.json, so the family test files replay it against respd in CI
// without redis-server installed (helpers.ts replayScenario). Only plain command lines on the main
// connection are recorded; a command without a reply is recorded with ''.
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
  let reply = '';
  for (let i = 0; i < 250; i++) {
    const n = replyLength(buf);
    if (n > 0) {
      reply = buf.subarray(0, n).toString('latin1');
      buf = buf.subarray(n);
      break;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  // '' records a command that gets no reply (CLIENT REPLY OFF/SKIP): the replay sends it too.
  out.push([line, reply]);
}
sock.destroy();
writeFileSync(file.replace(/\.txt$/, '.expected.json'), JSON.stringify(out, null, 0).replace(/\],\[/g, '],\n['));
console.log(`recorded ${out.length} replies`);
