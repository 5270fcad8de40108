// MULTI / EXEC / DISCARD / WATCH / UNWATCH end to end, byte for byte: queueing, the EXEC array,
// queue-time errors (EXECABORT) against run-time errors, the misuse errors, optimistic locking
// (EXEC null in RESP2 and RESP3, FLUSHALL, other databases), and QUIT inside MULTI.
import { describe, expect, it } from 'vitest';
import { RawClient, resp, startServer } from './helpers.js';

const server = await startServer();
const open = () => RawClient.connect(server.port);
const other = await open();

describe('MULTI and EXEC', () => {
  it('commands are QUEUED, then EXEC answers an array of their replies in order', async () => {
    const c = await open();
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('SET', 'tx:a', '1')).toBe('+QUEUED\r\n');
    expect(await c.call('INCR', 'tx:a')).toBe('+QUEUED\r\n');
    expect(await c.call('GET', 'tx:a')).toBe('+QUEUED\r\n');
    expect(await c.call('GET', 'tx:none')).toBe('+QUEUED\r\n');
    // Nothing ran yet.
    expect(await other.call('EXISTS', 'tx:a')).toBe(':0\r\n');
    expect(await c.call('EXEC')).toBe('*4\r\n+OK\r\n:2\r\n$1\r\n2\r\n$-1\r\n');
    expect(await c.call('EXEC')).toBe('-ERR EXEC without MULTI\r\n');
    c.close();
  });

  it('an empty transaction answers an empty array; RESP3 replies inside keep their RESP3 shapes', async () => {
    const c = await open();
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('EXEC')).toBe('*0\r\n');
    await c.call('HELLO', '3');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('GET', 'tx:none')).toBe('+QUEUED\r\n');
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe('+QUEUED\r\n');
    expect(await c.call('EXEC')).toBe('*2\r\n_\r\n%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n');
    c.close();
  });

  it('run-time errors do not stop the transaction: each command gets its own reply', async () => {
    const c = await open();
    const start = c.received.length;
    c.write(Buffer.concat([resp('MULTI'), resp('SET', 'tx:s', 'x'), resp('INCR', 'tx:s'), resp('GET', 'tx:s'), resp('EXEC')]));
    expect(await c.replyAt(start, 5)).toBe('+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n$1\r\nx\r\n');
    c.close();
  });

  it('a queue-time error (unknown command, wrong arity) discards the transaction at EXEC: EXECABORT', async () => {
    const c = await open();
    const start = c.received.length;
    c.write(Buffer.concat([
      resp('MULTI'), resp('SET', 'tx:abort', '1'), resp('NOSUCH', 'x'), resp('SET', 'tx:abort'), resp('GET', 'tx:abort'), resp('EXEC'), resp('EXEC'),
    ]));
    expect(await c.replyAt(start, 7)).toBe(
      '+OK\r\n+QUEUED\r\n' +
      "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n" +
      "-ERR wrong number of arguments for 'set' command\r\n" +
      '+QUEUED\r\n' +
      '-EXECABORT Transaction discarded because of previous errors.\r\n' +
      '-ERR EXEC without MULTI\r\n',
    );
    expect(await other.call('EXISTS', 'tx:abort')).toBe(':0\r\n');
    c.close();
  });

  it('nested MULTI is an error that does not abort the transaction', async () => {
    const c = await open();
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('MULTI')).toBe('-ERR MULTI calls can not be nested\r\n');
    expect(await c.call('SET', 'tx:nested', '1')).toBe('+QUEUED\r\n');
    expect(await c.call('EXEC')).toBe('*1\r\n+OK\r\n');
    c.close();
  });

  it('EXEC and DISCARD without MULTI; DISCARD ends the transaction, nothing ran', async () => {
    const c = await open();
    expect(await c.call('EXEC')).toBe('-ERR EXEC without MULTI\r\n');
    expect(await c.call('DISCARD')).toBe('-ERR DISCARD without MULTI\r\n');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('SET', 'tx:discarded', '1')).toBe('+QUEUED\r\n');
    expect(await c.call('DISCARD')).toBe('+OK\r\n');
    expect(await c.call('EXISTS', 'tx:discarded')).toBe(':0\r\n');
    expect(await c.call('DISCARD')).toBe('-ERR DISCARD without MULTI\r\n');
    c.close();
  });

  it('arity of the transaction commands', async () => {
    const c = await open();
    expect(await c.call('MULTI', 'x')).toBe("-ERR wrong number of arguments for 'multi' command\r\n");
    expect(await c.call('EXEC', 'x')).toBe("-ERR wrong number of arguments for 'exec' command\r\n");
    expect(await c.call('DISCARD', 'x')).toBe("-ERR wrong number of arguments for 'discard' command\r\n");
    expect(await c.call('WATCH')).toBe("-ERR wrong number of arguments for 'watch' command\r\n");
    expect(await c.call('UNWATCH', 'x')).toBe("-ERR wrong number of arguments for 'unwatch' command\r\n");
    c.close();
  });

  it('QUIT inside MULTI runs at once: +OK, then the close; the queue never runs', async () => {
    const c = await open();
    const start = c.received.length;
    c.write(Buffer.concat([resp('MULTI'), resp('SET', 'tx:quit', '1'), resp('QUIT'), resp('EXEC')]));
    expect(await c.waitClose()).toBe(true);
    expect(c.received.slice(start)).toBe('+OK\r\n+QUEUED\r\n+OK\r\n');
    expect(await other.call('EXISTS', 'tx:quit')).toBe(':0\r\n');
  });
});

describe('WATCH', () => {
  it('a WATCHed key changed by another client makes EXEC answer a null array (RESP2 *-1)', async () => {
    const c = await open();
    expect(await c.call('SET', 'w:k', '1')).toBe('+OK\r\n');
    expect(await c.call('WATCH', 'w:k')).toBe('+OK\r\n');
    expect(await other.call('SET', 'w:k', '2')).toBe('+OK\r\n');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('SET', 'w:k', '3')).toBe('+QUEUED\r\n');
    expect(await c.call('EXEC')).toBe('*-1\r\n');
    expect(await c.call('GET', 'w:k')).toBe('$1\r\n2\r\n');
    // EXEC unwatched everything: the next transaction runs.
    expect(await other.call('SET', 'w:k', '4')).toBe('+OK\r\n');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('GET', 'w:k')).toBe('+QUEUED\r\n');
    expect(await c.call('EXEC')).toBe('*1\r\n$1\r\n4\r\n');
    c.close();
  });

  it('RESP3: the aborted EXEC is a null (_)', async () => {
    const c = await open();
    await c.call('HELLO', '3');
    expect(await c.call('WATCH', 'w:r3')).toBe('+OK\r\n');
    expect(await other.call('SET', 'w:r3', '1')).toBe('+OK\r\n');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('EXEC')).toBe('_\r\n');
    c.close();
  });

  it('an untouched WATCHed key lets EXEC run; a change by the watcher itself also counts', async () => {
    const c = await open();
    expect(await c.call('WATCH', 'w:calm', 'w:mine')).toBe('+OK\r\n');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('SET', 'w:calm', '1')).toBe('+QUEUED\r\n');
    expect(await c.call('EXEC')).toBe('*1\r\n+OK\r\n');
    expect(await c.call('WATCH', 'w:mine')).toBe('+OK\r\n');
    expect(await c.call('SET', 'w:mine', '1')).toBe('+OK\r\n');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('EXEC')).toBe('*-1\r\n');
    c.close();
  });

  it('the same key name in another database is another key', async () => {
    const c = await open();
    expect(await c.call('WATCH', 'w:db')).toBe('+OK\r\n');
    const o = await open();
    expect(await o.call('SELECT', '2')).toBe('+OK\r\n');
    expect(await o.call('SET', 'w:db', '1')).toBe('+OK\r\n');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('EXEC')).toBe('*0\r\n');
    o.close();
    c.close();
  });

  it('UNWATCH forgets the keys; DISCARD does too', async () => {
    const c = await open();
    expect(await c.call('WATCH', 'w:u')).toBe('+OK\r\n');
    expect(await c.call('UNWATCH')).toBe('+OK\r\n');
    expect(await other.call('SET', 'w:u', '1')).toBe('+OK\r\n');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('EXEC')).toBe('*0\r\n');
    expect(await c.call('WATCH', 'w:u')).toBe('+OK\r\n');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('DISCARD')).toBe('+OK\r\n');
    expect(await other.call('SET', 'w:u', '2')).toBe('+OK\r\n');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('EXEC')).toBe('*0\r\n');
    c.close();
  });

  it('WATCH inside MULTI is an error that does not abort the transaction', async () => {
    const c = await open();
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('WATCH', 'w:inside')).toBe('-ERR WATCH inside MULTI is not allowed\r\n');
    expect(await c.call('SET', 'w:inside', '1')).toBe('+QUEUED\r\n');
    // The failed WATCH watched nothing.
    expect(await other.call('SET', 'w:inside', '0')).toBe('+OK\r\n');
    expect(await c.call('EXEC')).toBe('*1\r\n+OK\r\n');
    c.close();
  });

  it('FLUSHALL dirties the watchers of keys that existed; watching a missing key is not affected', async () => {
    const c = await open();
    const d = await open();
    expect(await other.call('SET', 'w:flush', '1')).toBe('+OK\r\n');
    expect(await c.call('WATCH', 'w:flush')).toBe('+OK\r\n');
    expect(await d.call('WATCH', 'w:missing')).toBe('+OK\r\n');
    expect(await other.call('FLUSHALL')).toBe('+OK\r\n');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('EXEC')).toBe('*-1\r\n');
    expect(await d.call('MULTI')).toBe('+OK\r\n');
    expect(await d.call('EXEC')).toBe('*0\r\n');
    c.close();
    d.close();
  });

  it('an EXEC in the same pipeline as the change that dirtied it still fails', async () => {
    const c = await open();
    expect(await c.call('WATCH', 'w:pipe')).toBe('+OK\r\n');
    const start = c.received.length;
    c.write(Buffer.concat([resp('SET', 'w:pipe', 'mine'), resp('MULTI'), resp('GET', 'w:pipe'), resp('EXEC'), resp('GET', 'w:pipe')]));
    expect(await c.replyAt(start, 5)).toBe('+OK\r\n+OK\r\n+QUEUED\r\n*-1\r\n$4\r\nmine\r\n');
    c.close();
  });
});
