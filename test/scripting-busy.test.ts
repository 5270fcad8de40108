// A script that runs past busy-reply-threshold: the server keeps answering other clients between
// the script's steps, with -BUSY, and obeys SCRIPT KILL (a script that has not written), refuses
// it for one that has (-UNKILLABLE), and SHUTDOWN NOSAVE. The server runs in its own process
// (the CLI): a script busy in this one would stop the test as well.
import { afterAll, describe, expect, it } from 'vitest';
import { RawClient, resp, startCli } from './helpers.js';

const cli = await startCli(['--busy-reply-threshold', '100']);
afterAll(() => cli.stop());

const BUSY_EVAL = '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n';
const BUSY_FUNCTION = '-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n';

const slowLines = () => cli.output().split('Slow script detected').length - 1;

/**
 * Sends an endless script on a connection of its own and waits for the server's log to say it is
 * slow (the server is then busy); the probe's PING must get -BUSY.
 */
async function startEndless(probe: RawClient, busyReply: string, ...command: string[]): Promise<RawClient> {
  const before = slowLines();
  const runner = await RawClient.connect(cli.sock);
  runner.write(resp(...command));
  for (let i = 0; i < 500 && slowLines() === before; i++) await new Promise((r) => setTimeout(r, 10));
  expect(slowLines()).toBe(before + 1);
  expect(await probe.call('PING')).toBe(busyReply);
  return runner;
}

describe('busy scripts', () => {
  it('other clients get -BUSY; SCRIPT KILL stops a script that has not written; then all is normal', async () => {
    const probe = await RawClient.connect(cli.sock);
    const runner = await startEndless(probe, BUSY_EVAL, 'EVAL', 'local i = 0 while true do i = i + 1 end', '0');
    expect(cli.output()).toMatch(/Slow script detected: still in execution after \d+ milliseconds\. You can try killing the script using the SCRIPT KILL command\. Script name is: [0-9a-f]{40}\./);
    expect(await probe.call('GET', 'x')).toBe(BUSY_EVAL);
    expect(await probe.call('FUNCTION', 'KILL')).toBe(BUSY_EVAL);
    expect(await probe.call('SCRIPT', 'KILL')).toBe('+OK\r\n');
    expect(await runner.waitBytes(1)).toMatch(/^-ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.\r\n$/);
    expect(await probe.call('PING')).toBe('+PONG\r\n');
    expect(await probe.call('SCRIPT', 'KILL')).toBe('-NOTBUSY No scripts in execution right now.\r\n');
    runner.close();
    probe.close();
  });

  it('the allow-busy commands run meanwhile (AUTH, HELLO, MULTI, WATCH, ...); a refused command dooms a MULTI', async () => {
    const probe = await RawClient.connect(cli.sock);
    const runner = await startEndless(probe, BUSY_EVAL, 'EVAL', 'while true do end', '0');
    expect(await probe.call('HELLO', '2')).toMatch(/^\*14\r\n\$6\r\nserver\r\n\$5\r\nredis\r\n/);
    expect(await probe.call('WATCH', 'k')).toBe('+OK\r\n');
    expect(await probe.call('MULTI')).toBe('+OK\r\n');
    expect(await probe.call('SET', 'k', 'v')).toBe(BUSY_EVAL);
    expect(await probe.call('SCRIPT', 'KILL')).toBe('+OK\r\n');
    expect(await runner.waitBytes(1)).toMatch(/^-ERR Script killed by user/);
    expect(await probe.call('EXEC')).toBe('-EXECABORT Transaction discarded because of previous errors.\r\n');
    expect(await probe.call('GET', 'k')).toBe('$-1\r\n');
    runner.close();
    probe.close();
  });

  it('pcall cannot keep a killed script going', async () => {
    const probe = await RawClient.connect(cli.sock);
    const runner = await startEndless(probe, BUSY_EVAL, 'EVAL', 'while true do pcall(function() local i = 0 while true do i = i + 1 end end) end', '0');
    expect(await probe.call('SCRIPT', 'KILL')).toBe('+OK\r\n');
    expect(await runner.waitBytes(1)).toMatch(/^-ERR Script killed by user with SCRIPT KILL/);
    runner.close();
    probe.close();
  });

  it('a busy function: FUNCTION KILL, not SCRIPT KILL', async () => {
    const probe = await RawClient.connect(cli.sock);
    expect(await probe.call('FUNCTION', 'LOAD', "#!lua name=spin\nredis.register_function('spin', function() while true do end end)")).toBe('$4\r\nspin\r\n');
    const runner = await startEndless(probe, BUSY_FUNCTION, 'FCALL', 'spin', '0');
    expect(await probe.call('SCRIPT', 'KILL')).toBe(BUSY_FUNCTION);
    expect(await probe.call('FUNCTION', 'KILL')).toBe('+OK\r\n');
    expect(await runner.waitBytes(1)).toMatch(/^-ERR Script killed by user with SCRIPT KILL\.\.\. script: spin, on @user_function:2\.\r\n$/);
    runner.close();
    probe.close();
  });

  it('a script that wrote is UNKILLABLE; SHUTDOWN NOSAVE ends it and the server', async () => {
    const probe = await RawClient.connect(cli.sock);
    const runner = await startEndless(probe, BUSY_EVAL, 'EVAL', "redis.call('set', 'w', '1') while true do end", '0');
    expect(await probe.call('SCRIPT', 'KILL')).toBe('-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n');
    probe.write('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
    expect(await runner.waitClose()).toBe(true);
    expect(runner.received).toBe('');
    expect(await probe.waitClose()).toBe(true);
  });

});
