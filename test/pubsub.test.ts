// Pub/Sub end to end, byte for byte: (P|S)SUBSCRIBE confirmations and counts, PUBLISH/SPUBLISH
// counts and message shapes in RESP2 (arrays) and RESP3 (pushes), the UNSUBSCRIBE family, the
// RESP2 subscribed context, PUBSUB introspection, and a slow subscriber not holding others up.
import { describe, expect, it } from 'vitest';
import { bulk, RawClient, resp, startServer, until } from './helpers.js';

const server = await startServer();
const open = () => RawClient.connect(server.port);
const pub = await open();

const confirm = (kind: string, name: string | null, n: number, push = '*') =>
  `${push}3\r\n${bulk(kind)}${name === null ? (push === '>' ? '_\r\n' : '$-1\r\n') : bulk(name)}:${n}\r\n`;
const message = (channel: string, msg: string, push = '*') => `${push}3\r\n${bulk('message')}${bulk(channel)}${bulk(msg)}`;
const pmessage = (pattern: string, channel: string, msg: string, push = '*') => `${push}4\r\n${bulk('pmessage')}${bulk(pattern)}${bulk(channel)}${bulk(msg)}`;
const smessage = (channel: string, msg: string, push = '*') => `${push}3\r\n${bulk('smessage')}${bulk(channel)}${bulk(msg)}`;

/** Sends one command and waits for `count` replies. */
async function send(c: RawClient, count: number, ...args: string[]): Promise<string> {
  const start = c.received.length;
  c.write(resp(...args));
  return c.replyAt(start, count);
}

describe('subscribing', () => {
  it('SUBSCRIBE confirms each channel with the running count; a repeat keeps the count', async () => {
    const c = await open();
    expect(await send(c, 2, 'SUBSCRIBE', 'ch:a', 'ch:b')).toBe(confirm('subscribe', 'ch:a', 1) + confirm('subscribe', 'ch:b', 2));
    expect(await send(c, 1, 'SUBSCRIBE', 'ch:a')).toBe(confirm('subscribe', 'ch:a', 2));
    // Patterns share the count with channels; shard channels have their own.
    expect(await send(c, 2, 'PSUBSCRIBE', 'ch:*', 'x?')).toBe(confirm('psubscribe', 'ch:*', 3) + confirm('psubscribe', 'x?', 4));
    expect(await send(c, 2, 'SSUBSCRIBE', 'sh:1', 'sh:2')).toBe(confirm('ssubscribe', 'sh:1', 1) + confirm('ssubscribe', 'sh:2', 2));
    c.close();
  });

  it('PUBLISH counts channel subscribers plus matching patterns; message and pmessage shapes', async () => {
    const a = await open();
    const b = await open();
    expect(await send(a, 1, 'SUBSCRIBE', 'news')).toBe(confirm('subscribe', 'news', 1));
    expect(await send(b, 2, 'PSUBSCRIBE', 'n*', 'ne?s')).toBe(confirm('psubscribe', 'n*', 1) + confirm('psubscribe', 'ne?s', 2));
    const [sa, sb] = [a.received.length, b.received.length];
    expect(await pub.call('PUBLISH', 'news', 'hello')).toBe(':3\r\n');
    expect(await a.replyAt(sa)).toBe(message('news', 'hello'));
    expect(await b.replyAt(sb, 2)).toBe(pmessage('n*', 'news', 'hello') + pmessage('ne?s', 'news', 'hello'));
    expect(await pub.call('PUBLISH', 'nobody', 'x')).toBe(':1\r\n');
    expect(await pub.call('PUBLISH', 'zzz', 'x')).toBe(':0\r\n');
    a.close();
    b.close();
  });

  it('binary messages arrive byte for byte', async () => {
    const a = await open();
    expect(await send(a, 1, 'SUBSCRIBE', 'bin')).toBe(confirm('subscribe', 'bin', 1));
    const start = a.received.length;
    const payload = '\x00\r\n\xff$*';
    expect(await pub.call('PUBLISH', 'bin', payload)).toBe(':1\r\n');
    expect(await a.replyAt(start)).toBe(message('bin', payload));
    a.close();
  });

  it('SPUBLISH reaches shard subscribers only, as smessage', async () => {
    const s = await open();
    const plain = await open();
    expect(await send(s, 1, 'SSUBSCRIBE', 'shard:x')).toBe(confirm('ssubscribe', 'shard:x', 1));
    expect(await send(plain, 1, 'SUBSCRIBE', 'shard:x')).toBe(confirm('subscribe', 'shard:x', 1));
    const start = s.received.length;
    const plainStart = plain.received.length;
    expect(await pub.call('SPUBLISH', 'shard:x', 'hi')).toBe(':1\r\n');
    expect(await s.replyAt(start)).toBe(smessage('shard:x', 'hi'));
    expect(await pub.call('PUBLISH', 'shard:x', 'plain')).toBe(':1\r\n');
    expect(await plain.replyAt(plainStart)).toBe(message('shard:x', 'plain'));
    expect(await pub.call('SPUBLISH', 'shard:none', 'x')).toBe(':0\r\n');
    s.close();
    plain.close();
  });

  it('RESP3: confirmations and messages are pushes (>)', async () => {
    const c = await open();
    await c.call('HELLO', '3');
    expect(await send(c, 1, 'SUBSCRIBE', 'r3')).toBe(confirm('subscribe', 'r3', 1, '>'));
    expect(await send(c, 1, 'PSUBSCRIBE', 'r*')).toBe(confirm('psubscribe', 'r*', 2, '>'));
    expect(await send(c, 1, 'SSUBSCRIBE', 'r3s')).toBe(confirm('ssubscribe', 'r3s', 1, '>'));
    const start = c.received.length;
    expect(await pub.call('PUBLISH', 'r3', 'm')).toBe(':2\r\n');
    expect(await pub.call('SPUBLISH', 'r3s', 's')).toBe(':1\r\n');
    expect(await c.replyAt(start, 3)).toBe(message('r3', 'm', '>') + pmessage('r*', 'r3', 'm', '>') + smessage('r3s', 's', '>'));
    expect(await send(c, 1, 'UNSUBSCRIBE')).toBe(confirm('unsubscribe', 'r3', 1, '>'));
    expect(await send(c, 1, 'UNSUBSCRIBE')).toBe(confirm('unsubscribe', null, 1, '>'));
    c.close();
  });
});

describe('unsubscribing', () => {
  it('UNSUBSCRIBE with no arguments leaves every channel, one confirmation each, counting down', async () => {
    const c = await open();
    expect(await send(c, 3, 'SUBSCRIBE', 'u1', 'u2', 'u3')).toBe(confirm('subscribe', 'u1', 1) + confirm('subscribe', 'u2', 2) + confirm('subscribe', 'u3', 3));
    expect(await send(c, 3, 'UNSUBSCRIBE')).toBe(confirm('unsubscribe', 'u1', 2) + confirm('unsubscribe', 'u2', 1) + confirm('unsubscribe', 'u3', 0));
    // Back in the normal context.
    expect(await c.call('GET', 'u:none')).toBe('$-1\r\n');
    c.close();
  });

  it('with nothing subscribed, each form confirms once with a null name and 0', async () => {
    const c = await open();
    expect(await send(c, 1, 'UNSUBSCRIBE')).toBe('*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n');
    expect(await send(c, 1, 'PUNSUBSCRIBE')).toBe('*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n');
    expect(await send(c, 1, 'SUNSUBSCRIBE')).toBe('*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n');
    // Named channels that were never subscribed are still confirmed, one by one.
    expect(await send(c, 2, 'UNSUBSCRIBE', 'x', 'y')).toBe(confirm('unsubscribe', 'x', 0) + confirm('unsubscribe', 'y', 0));
    c.close();
  });

  it('the counts mix channels and patterns; the subscribed context ends only at zero', async () => {
    const c = await open();
    expect(await send(c, 1, 'SUBSCRIBE', 'mix')).toBe(confirm('subscribe', 'mix', 1));
    expect(await send(c, 1, 'PSUBSCRIBE', 'mi*')).toBe(confirm('psubscribe', 'mi*', 2));
    expect(await send(c, 1, 'SSUBSCRIBE', 'mixs')).toBe(confirm('ssubscribe', 'mixs', 1));
    expect(await send(c, 1, 'UNSUBSCRIBE', 'mix')).toBe(confirm('unsubscribe', 'mix', 1));
    expect(await send(c, 1, 'PUNSUBSCRIBE')).toBe(confirm('punsubscribe', 'mi*', 0));
    // A shard channel is still there: still subscribed.
    expect(await c.call('GET', 'x')).toBe("-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n");
    expect(await send(c, 1, 'SUNSUBSCRIBE', 'mixs')).toBe(confirm('sunsubscribe', 'mixs', 0));
    expect(await c.call('GET', 'x')).toBe('$-1\r\n');
    c.close();
  });

  it('a message published after UNSUBSCRIBE does not arrive', async () => {
    const c = await open();
    expect(await send(c, 1, 'SUBSCRIBE', 'gone')).toBe(confirm('subscribe', 'gone', 1));
    expect(await send(c, 1, 'UNSUBSCRIBE', 'gone')).toBe(confirm('unsubscribe', 'gone', 0));
    const start = c.received.length;
    expect(await pub.call('PUBLISH', 'gone', 'x')).toBe(':0\r\n');
    expect(await c.beforePing()).toBe(c.received.slice(0, start));
    c.close();
  });
});

describe('the RESP2 subscribed context', () => {
  it('only the (un)subscribe family, PING, QUIT and RESET; others get the exact error', async () => {
    const c = await open();
    expect(await send(c, 1, 'SUBSCRIBE', 'ctx')).toBe(confirm('subscribe', 'ctx', 1));
    const only = "only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context";
    expect(await c.call('GET', 'k')).toBe(`-ERR Can't execute 'get': ${only}\r\n`);
    expect(await c.call('ECHO', 'x')).toBe(`-ERR Can't execute 'echo': ${only}\r\n`);
    expect(await c.call('CLIENT', 'ID')).toBe(`-ERR Can't execute 'client|id': ${only}\r\n`);
    // HELLO is refused too: a RESP2 subscriber cannot switch to RESP3.
    expect(await c.call('HELLO', '3')).toBe(`-ERR Can't execute 'hello': ${only}\r\n`);
    // Unknown commands and arity errors come first.
    expect(await c.call('NOSUCH')).toBe("-ERR unknown command 'NOSUCH', with args beginning with: \r\n");
    expect(await c.call('GET')).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    c.close();
  });

  it('PING answers in the message shape: pong and the argument (empty without one)', async () => {
    const c = await open();
    expect(await send(c, 1, 'PSUBSCRIBE', 'ping*')).toBe(confirm('psubscribe', 'ping*', 1));
    expect(await c.call('PING')).toBe('*2\r\n$4\r\npong\r\n$0\r\n\r\n');
    expect(await c.call('PING', 'hey')).toBe('*2\r\n$4\r\npong\r\n$3\r\nhey\r\n');
    expect(await c.call('PING', 'a', 'b')).toBe("-ERR wrong number of arguments for 'ping' command\r\n");
    c.close();
  });

  it('QUIT replies +OK and closes; RESET leaves the context', async () => {
    const q = await open();
    expect(await send(q, 1, 'SUBSCRIBE', 'quit')).toBe(confirm('subscribe', 'quit', 1));
    const start = q.received.length;
    q.write(resp('QUIT'));
    expect(await q.waitClose()).toBe(true);
    expect(q.received.slice(start)).toBe('+OK\r\n');
    const r = await open();
    expect(await send(r, 1, 'SUBSCRIBE', 'reset')).toBe(confirm('subscribe', 'reset', 1));
    expect(await r.call('RESET')).toBe('+RESET\r\n');
    expect(await r.call('GET', 'k')).toBe('$-1\r\n');
    expect(await pub.call('PUBLISH', 'reset', 'x')).toBe(':0\r\n');
    r.close();
  });

  it('RESP3 has no such restriction: any command runs, PING is +PONG', async () => {
    const c = await open();
    await c.call('HELLO', '3');
    expect(await send(c, 1, 'SUBSCRIBE', 'free')).toBe(confirm('subscribe', 'free', 1, '>'));
    expect(await c.call('SET', 'free:k', 'v')).toBe('+OK\r\n');
    expect(await c.call('GET', 'free:k')).toBe('$1\r\nv\r\n');
    expect(await c.call('PING')).toBe('+PONG\r\n');
    expect(await c.call('ECHO', 'e')).toBe('$1\r\ne\r\n');
    // A message published by the subscriber itself comes after its own reply.
    const start = c.received.length;
    c.write(resp('PUBLISH', 'free', 'me'));
    expect(await c.replyAt(start, 2)).toBe(':1\r\n' + message('free', 'me', '>'));
    c.close();
  });
});

describe('PUBSUB introspection', () => {
  it('CHANNELS (with a pattern), NUMSUB, NUMPAT, SHARDCHANNELS, SHARDNUMSUB', async () => {
    const s = await open();
    const p = await open();
    const [a, b] = [await open(), await open()];
    const list = (r: string) => r.split('\r\n').filter((l, i) => i > 0 && i % 2 === 0).sort();
    const before = await pub.call('PUBSUB', 'NUMPAT');
    expect(await send(a, 2, 'SUBSCRIBE', 'intro:1', 'intro:2')).toBe(confirm('subscribe', 'intro:1', 1) + confirm('subscribe', 'intro:2', 2));
    expect(await send(b, 1, 'SUBSCRIBE', 'intro:1')).toBe(confirm('subscribe', 'intro:1', 1));
    expect(await send(p, 2, 'PSUBSCRIBE', 'intro:*', 'other*')).toBe(confirm('psubscribe', 'intro:*', 1) + confirm('psubscribe', 'other*', 2));
    expect(await send(b, 1, 'PSUBSCRIBE', 'intro:*')).toBe(confirm('psubscribe', 'intro:*', 2));
    expect(await send(s, 2, 'SSUBSCRIBE', 'intro:s1', 'intro:s2')).toBe(confirm('ssubscribe', 'intro:s1', 1) + confirm('ssubscribe', 'intro:s2', 2));

    const chans = await pub.call('PUBSUB', 'CHANNELS', 'intro:*');
    expect(chans.startsWith('*2\r\n')).toBe(true);
    expect(list(chans)).toEqual(['intro:1', 'intro:2']);
    expect(await pub.call('PUBSUB', 'CHANNELS', 'intro:2')).toBe('*1\r\n$7\r\nintro:2\r\n');
    expect(await pub.call('PUBSUB', 'CHANNELS', 'nomatch*')).toBe('*0\r\n');
    expect(await pub.call('PUBSUB', 'NUMSUB', 'intro:1', 'intro:2', 'intro:none')).toBe(
      '*6\r\n$7\r\nintro:1\r\n:2\r\n$7\r\nintro:2\r\n:1\r\n$10\r\nintro:none\r\n:0\r\n',
    );
    expect(await pub.call('PUBSUB', 'NUMSUB')).toBe('*0\r\n');
    // Unique patterns: intro:* twice counts once.
    expect(await pub.call('PUBSUB', 'NUMPAT')).toBe(`:${Number(before.slice(1, -2)) + 2}\r\n`);
    const shards = await pub.call('PUBSUB', 'SHARDCHANNELS');
    expect(list(shards)).toEqual(expect.arrayContaining(['intro:s1', 'intro:s2']));
    expect(list(await pub.call('PUBSUB', 'SHARDCHANNELS', 'intro:s*'))).toEqual(['intro:s1', 'intro:s2']);
    expect(await pub.call('PUBSUB', 'SHARDNUMSUB', 'intro:s1', 'intro:1')).toBe('*4\r\n$8\r\nintro:s1\r\n:1\r\n$7\r\nintro:1\r\n:0\r\n');
    expect(await pub.call('PUBSUB', 'SHARDNUMSUB')).toBe('*0\r\n');

    // RESP3: still a flat array of pairs, not a map.
    const r3 = await open();
    await r3.call('HELLO', '3');
    expect(await r3.call('PUBSUB', 'NUMSUB', 'intro:1')).toBe('*2\r\n$7\r\nintro:1\r\n:2\r\n');
    expect(await r3.call('PUBSUB', 'SHARDNUMSUB', 'intro:s1')).toBe('*2\r\n$8\r\nintro:s1\r\n:1\r\n');
    r3.close();

    // Channels with no subscriber left disappear.
    a.close();
    b.close();
    await until(() => pub.call('PUBSUB', 'NUMSUB', 'intro:1'), (r) => r.endsWith(':0\r\n'));
    expect(await pub.call('PUBSUB', 'CHANNELS', 'intro:*')).toBe('*0\r\n');
    s.close();
    p.close();
  });

  it('errors: arity, extra arguments, unknown subcommand', async () => {
    expect(await pub.call('PUBSUB', 'NUMPAT', 'x')).toBe("-ERR wrong number of arguments for 'pubsub|numpat' command\r\n");
    expect(await pub.call('PUBSUB', 'CHANNELS', 'a', 'b')).toBe("-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n");
    expect(await pub.call('PUBSUB', 'shardchannels', 'a', 'b')).toBe("-ERR unknown subcommand or wrong number of arguments for 'shardchannels'. Try PUBSUB HELP.\r\n");
    expect(await pub.call('PUBSUB', 'BOGUS')).toBe("-ERR unknown subcommand 'BOGUS'. Try PUBSUB HELP.\r\n");
    expect(await pub.call('PUBSUB')).toBe("-ERR wrong number of arguments for 'pubsub' command\r\n");
    expect(await pub.call('PUBLISH', 'x')).toBe("-ERR wrong number of arguments for 'publish' command\r\n");
    expect(await pub.call('SUBSCRIBE')).toBe("-ERR wrong number of arguments for 'subscribe' command\r\n");
  });
});

describe('a slow subscriber', () => {
  it('does not hold up the others: they get every message at once, it gets all of them later, in order', async () => {
    const slow = await open();
    const fast = await open();
    expect(await send(slow, 1, 'SUBSCRIBE', 'flood')).toBe(confirm('subscribe', 'flood', 1));
    expect(await send(fast, 1, 'SUBSCRIBE', 'flood')).toBe(confirm('subscribe', 'flood', 1));
    slow.socket.pause();
    const [slowStart, fastStart] = [slow.received.length, fast.received.length];
    const n = 200;
    const body = 'm'.repeat(16 * 1024);
    let expected = '';
    for (let i = 0; i < n; i++) expected += message('flood', `${i}:${body}`);
    const pubStart = pub.received.length;
    pub.write(Buffer.concat(Array.from({ length: n }, (_, i) => resp('PUBLISH', 'flood', `${i}:${body}`))));
    expect(await pub.replyAt(pubStart, n)).toBe(':2\r\n'.repeat(n));
    await fast.waitBytes(fastStart + expected.length);
    expect(fast.received.slice(fastStart) === expected).toBe(true);
    expect(slow.received.length - slowStart).toBeLessThan(expected.length);
    slow.socket.resume();
    await slow.waitBytes(slowStart + expected.length);
    expect(slow.received.slice(slowStart) === expected).toBe(true);
    slow.close();
    fast.close();
  });
});
