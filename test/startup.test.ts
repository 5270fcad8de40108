// Start-up: the CLI runs from one bundled file (dist/bundle/cli.cjs, made here again from src/)
// through V8's code cache, stored in a folder only this user can write; a bundle older than
// the modules is not run.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheFileName, isFresh } from '../src/cli/compile-cache.js';
import { RawClient, startCli } from './helpers.js';

const root = join(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'respd-startup-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Waits for `p` to exist (the cache is stored a second after start or at exit). */
async function appears(p: () => string | undefined): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const f = p();
    if (f !== undefined) return f;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('never appeared');
}

const cacheFileIn = (dir: string) => () => {
  const f = existsSync(dir) ? readdirSync(dir).find((n) => n.endsWith('.bin')) : undefined;
  return f && join(dir, f);
};

/** Serves a few families through the CLI: PING, a string, a script, COMMAND DOCS. */
async function exercise(sock: string): Promise<void> {
  const c = await RawClient.connect(sock);
  expect(await c.call('PING')).toBe('+PONG\r\n');
  expect(await c.call('SET', 'k', 'v')).toBe('+OK\r\n');
  expect(await c.call('EVAL', "return redis.call('GET', KEYS[1])", '1', 'k')).toBe('$1\r\nv\r\n');
  expect(await c.call('COMMAND', 'DOCS', 'ping')).toContain('Returns the server\'s liveliness response.');
  c.close();
}

describe('the bundled CLI', () => {
  beforeAll(() => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60000);

  it('is newer than the modules once built, so dist/cli.js runs it', () => {
    expect(isFresh(join(root, 'dist', 'bundle', 'cli.cjs'), join(root, 'dist', 'cli', 'main.js'))).toBe(true);
  });

  it('stores its bytecode on the first start and reuses it, unchanged, on the next', async () => {
    const cache = join(scratch, 'cache');
    const env = { ...process.env, NODE_COMPILE_CACHE: cache, NODE_DISABLE_COMPILE_CACHE: '' };
    const first = await startCli(['--save', ''], env);
    try {
      await exercise(first.sock);
      const f = await appears(cacheFileIn(cache));
      // Only this user may write what V8 will run.
      expect(statSync(cache).mode & 0o777).toBe(0o700);
      expect(statSync(f).mode & 0o777).toBe(0o600);
    } finally {
      first.stop();
    }
    const f = cacheFileIn(cache)()!;
    const stored = readFileSync(f);
    // The first line names the Node and the very bundle it was made for.
    const bundle = statSync(join(root, 'dist', 'bundle', 'cli.cjs'), { bigint: true });
    expect(stored.toString('latin1', 0, stored.indexOf(10))).toBe(`${process.version} ${process.arch} ${bundle.ino} ${bundle.size} ${bundle.mtimeNs}`);
    const second = await startCli(['--save', ''], env);
    try {
      await exercise(second.sock);
    } finally {
      second.stop();
    }
    // Accepted by V8, so not written again.
    expect(readFileSync(f).equals(stored)).toBe(true);
    expect(readdirSync(cache).filter((n) => n.endsWith('.bin'))).toEqual([f.slice(cache.length + 1)]);
  });

  it('ignores a cache file made for another build and replaces it', async () => {
    const cache = join(scratch, 'stale');
    const env = { ...process.env, NODE_COMPILE_CACHE: cache, NODE_DISABLE_COMPILE_CACHE: '' };
    mkdirSync(cache);
    chmodSync(cache, 0o700);
    const f = join(cache, cacheFileName(join(root, 'dist', 'bundle', 'cli.cjs')));
    writeFileSync(f, 'v0.0.0 x64 1 2 3\nnot bytecode');
    const cli = await startCli(['--save', ''], env);
    try {
      await exercise(cli.sock);
      await appears(() => (readFileSync(f, 'latin1').startsWith(process.version) ? f : undefined));
    } finally {
      cli.stop();
    }
  });

  it('stores nothing in a folder others can write to, nor with NODE_DISABLE_COMPILE_CACHE', async () => {
    const open = join(scratch, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const again = await startCli(['--save', ''], { ...process.env, NODE_COMPILE_CACHE: open, NODE_DISABLE_COMPILE_CACHE: '' });
    const off = join(scratch, 'off');
    const disabled = await startCli(['--save', ''], { ...process.env, NODE_COMPILE_CACHE: off, NODE_DISABLE_COMPILE_CACHE: '1' });
    try {
      await exercise(again.sock);
      await exercise(disabled.sock);
    } finally {
      // SHUTDOWN exits through process.exit, where a pending cache would be stored.
      for (const s of [again.sock, disabled.sock]) {
        const c = await RawClient.connect(s);
        c.write('SHUTDOWN NOSAVE\r\n');
        await c.waitClose();
      }
      again.stop();
      disabled.stop();
    }
    expect(readdirSync(open).filter((n) => n.endsWith('.bin'))).toEqual([]);
    expect(existsSync(off)).toBe(false);
  });
});

describe('isFresh', () => {
  it('wants the bundle to exist and to be no older than the module it was made from', () => {
    const b = join(scratch, 'b.cjs');
    const m = join(scratch, 'm.js');
    expect(isFresh(b, m)).toBe(false);
    writeFileSync(b, '');
    expect(isFresh(b, m)).toBe(true);
    writeFileSync(m, '');
    utimesSync(b, 1000, 1000);
    utimesSync(m, 2000, 2000);
    expect(isFresh(b, m)).toBe(false);
    utimesSync(m, 1000, 1000);
    expect(isFresh(b, m)).toBe(true);
  });

  it('takes an installed package\'s bundle as it is (npm dates files by extraction)', () => {
    const pkg = join(scratch, 'node_modules', 'respd', 'dist');
    mkdirSync(join(pkg, 'bundle'), { recursive: true });
    mkdirSync(join(pkg, 'cli'));
    const b = join(pkg, 'bundle', 'cli.cjs');
    const m = join(pkg, 'cli', 'main.js');
    writeFileSync(b, '');
    writeFileSync(m, '');
    utimesSync(b, 1000, 1000);
    utimesSync(m, 2000, 2000);
    expect(isFresh(b, m)).toBe(true);
    rmSync(b);
    expect(isFresh(b, m)).toBe(false);
  });
});
