// Server commands end to end: INFO sections and CONFIG GET/SET basics.
import { describe, expect, it } from 'vitest';
import { parseBulks, RawClient, replayScenario, resp, startServer, until } from './helpers.js';

const server = await startServer();
const client = await RawClient.connect(server.port);

/** Sends a command and returns the reply (waiting for `len` bytes). */
const send = (len: number, ...args: string[]) => client.exchange(resp(...args), len);
const sendExpect = async (expected: string, ...args: string[]) => expect(await send(expected.length, ...args)).toBe(expected);

describe('INFO', () => {
  it('the server section has the fields clients look for', async () => {
    const c = await RawClient.connect(server.port);
    c.write(resp('INFO', 'server'));
    const text = await c.waitBytes(600);
    expect(text).toMatch(/^\$\d+\r\n# Server\r\n/);
    expect(text).toContain('redis_version:7.2.4\r\n');
    expect(text).toContain(`tcp_port:${server.port}\r\n`);
    expect(text).toContain(`process_id:${process.pid}\r\n`);
    expect(text).toContain(`listener0:name=tcp,bind=127.0.0.1,port=${server.port}\r\n`);
    expect(text).not.toContain('# Clients');
    c.close();
  });
});

describe('CONFIG', () => {
  it('GET with patterns, SET applied at once', async () => {
    await sendExpect('*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n', 'CONFIG', 'GET', 'maxclients');
    await sendExpect('+OK\r\n', 'CONFIG', 'SET', 'maxclients', '500');
    await sendExpect('*2\r\n$10\r\nmaxclients\r\n$3\r\n500\r\n', 'CONFIG', 'GET', 'maxclients');
    await sendExpect('*4\r\n$7\r\ntimeout\r\n$1\r\n0\r\n$10\r\nmaxclients\r\n$3\r\n500\r\n', 'CONFIG', 'GET', 'timeout', 'maxc*');
  });
});

describe('TIME', () => {
  it('TIME: seconds and microseconds as two bulk strings', async () => {
    const c = await RawClient.connect(server.port);
    const [sec, usec] = parseBulks(await c.call('TIME'));
    expect(Math.abs(Number(sec) - Date.now() / 1000)).toBeLessThan(60);
    expect(Number(usec)).toBeGreaterThanOrEqual(0);
    expect(Number(usec)).toBeLessThan(1e6);
    expect(await c.call('TIME', 'x')).toBe("-ERR wrong number of arguments for 'time' command\r\n");
    c.close();
  });
});
