// `respd` as a process: start-up lines, serving on a unix socket, SIGTERM, bad directives.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RawClient, resp, waitForOutput } from './helpers.js';

const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'respd-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npx respd', () => {
  it('logs the start-up lines, serves, and exits 0 on SIGTERM', async () => {
    const sock = join(dir, 'r.sock');
    const child = spawn(process.execPath, [cli, '--port', '0', '--unixsocket', sock, '--always-show-logo', 'yes', '--loglevel', 'verbose'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Save points are on by default: the final save on SIGTERM goes to the working directory.
      cwd: dir,
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      await waitForOutput(() => out, /Ready to accept connections unix/);
      expect(out).toContain(` PID: ${child.pid}`);
      expect(out).toMatch(new RegExp(`^${child.pid}:C \\d\\d \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{3} # oO0OoO0OoO0Oo Redis is starting`, 'm'));
      expect(out).toMatch(new RegExp(`^${child.pid}:M .* # Server initialized$`, 'm'));
      expect(out.indexOf('Server initialized')).toBeLessThan(out.indexOf('Ready to accept connections unix'));
      expect(out).not.toContain('Ready to accept connections tcp');
      const c = await RawClient.connect(sock);
      expect(await c.exchange(resp('PING'), 7)).toBe('+PONG\r\n');
      c.close();
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const t0 = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(out).toContain('Received SIGTERM scheduling shutdown...');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('saves dump.rdb on SIGTERM with save points, and loads it when started again', async () => {
    const data = mkdtempSync(join(tmpdir(), 'respd-cli-data-'));
    const run = async (cmds: string[][]): Promise<{ out: string; replies: string[] }> => {
      const sock = join(data, 'r.sock');
      const child = spawn(process.execPath, [cli, '--port', '0', '--unixsocket', sock, '--dir', data], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      try {
        await waitForOutput(() => out, /Ready to accept connections unix/);
        const c = await RawClient.connect(sock);
        const replies: string[] = [];
        for (const cmd of cmds) replies.push(await c.call(...cmd));
        c.close();
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
        return { out, replies };
      } finally {
        child.kill('SIGKILL');
      }
    };
    try {
      const first = await run([['SET', 'k', 'v'], ['RPUSH', 'l', 'a', 'b']]);
      expect(first.out).toContain('Saving the final RDB snapshot before exiting.');
      expect(first.out).toContain('DB saved on disk');
      const second = await run([['GET', 'k'], ['LRANGE', 'l', '0', '-1']]);
      expect(second.replies).toEqual(['$1\r\nv\r\n', '*2\r\n$1\r\na\r\n$1\r\nb\r\n']);
      expect(second.out).toMatch(/Done loading RDB, keys loaded: 2, keys expired: 0\./);
      expect(second.out.indexOf('DB loaded from disk')).toBeLessThan(second.out.indexOf('Ready to accept connections'));
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('stops on an unknown directive with Redis\'s message naming the line', () => {
    const conf = join(dir, 'bad.conf');
    writeFileSync(conf, '# a comment\nport 0\nnosuchdirective yes\n');
    const r = spawnSync(process.execPath, [cli, conf], { encoding: 'utf8', timeout: 10000, cwd: dir });
    expect(r.status).toBe(1);
    const text = r.stdout + r.stderr;
    expect(text).toContain('*** FATAL CONFIG FILE ERROR');
    expect(text).toContain('at line 3');
    expect(text).toContain(">>> 'nosuchdirective yes'");
    expect(text).toContain('Bad directive or wrong number of arguments');
  });

  it('exits 1 with Redis\'s words when the port is taken', async () => {
    const { createServer } = await import('../src/index.js');
    const h = await createServer();
    try {
      const r = spawnSync(process.execPath, [cli, '--port', String(h.port), '--bind', '127.0.0.1'], { encoding: 'utf8', timeout: 10000, cwd: dir });
      expect(r.status).toBe(1);
      expect(r.stdout).toContain(`Could not create server TCP listening socket 127.0.0.1:${h.port}: bind: Address already in use`);
      expect(r.stdout).toContain(`Failed listening on port ${h.port} (tcp), aborting.`);
    } finally {
      await h.close();
    }
  });
});
