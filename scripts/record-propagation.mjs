#!/usr/bin/env node
// Records the replication stream of each scenario of test/scenarios/propagation.txt from a
// redis-server (Debian's, started here on a free port) into propagation.expected.json, which
// test/propagation.test.ts compares respd's stream with. Usage: node scripts/record-propagation.mjs
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureStream } from './propagation-lib.mjs';
import { parseScenarios } from './propagation-scenarios.mjs';

if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) {
  console.error('redis-server is missing: install Debian\'s redis-server (apt-get install redis-server).');
  process.exit(1);
}
const root = join(import.meta.dirname, '..');
const file = join(root, 'test', 'scenarios', 'propagation.txt');
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const dir = mkdtempSync(join(tmpdir(), 'record-propagation-'));
const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
  '--repl-diskless-sync', 'no', '--enable-debug-command', 'yes'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
try {
  const out = {};
  for (const { name, body } of parseScenarios(readFileSync(file, 'utf8'))) out[name] = await captureStream(port, body);
  const version = spawnSync('redis-server', ['--version']).stdout.toString().trim();
  writeFileSync(file.replace(/\.txt$/, '.expected.json'), JSON.stringify({ recordedFrom: version, streams: out }, null, 1) + '\n');
  console.log(`recorded ${Object.keys(out).length} scenarios from ${version}`);
} finally {
  child.kill();
  rmSync(dir, { recursive: true, force: true });
}
