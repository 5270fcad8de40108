// The geo commands end to end and their model: the 52-bit geohash scores, positions and
// distances printed byte for byte as Redis 7.2 prints them (RESP2 and RESP3), the searches
// against a brute-force filter over the same distance function, STORE/STOREDIST, errors,
// notifications, and the scenario recorded from redis-server.
import { afterAll, describe, expect, it } from 'vitest';
import { cellScores, decodeScore, geoDistance, geohashString, geoScore, searchCells } from '../src/data/geohash.js';
import { fixedDecimal, fixedPoint4, humanLongDouble } from '../src/util/fixed-decimal.js';
import { bulk, bulks, err, int, RawClient, replayScenario, rng, startServer } from './helpers.js';

const server = await startServer();
const client = await RawClient.connect(server.port);
const r3 = await RawClient.connect(server.port);
const others: RawClient[] = [client, r3];
afterAll(() => {
  for (const c of others) c.close();
});
await r3.call('HELLO', '3');

const call = (...args: string[]): Promise<string> => client.call(...args);
const call3 = (...args: string[]): Promise<string> => r3.call(...args);
const pos = (lon: string, lat: string): string => `*2\r\n${bulk(lon)}${bulk(lat)}`;
const pos3 = (lon: string, lat: string): string => `*2\r\n,${lon}\r\n,${lat}\r\n`;

const PALERMO = ['13.36138933897018433', '38.11555639549629859'];
const CATANIA = ['15.08726745843887329', '37.50266842333162032'];
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';

describe('the geohash model', () => {
  it('scores a position as Redis does and decodes it to the centre of its cell', () => {
    expect(geoScore(13.361389, 38.115556)).toBe(3479099956230698);
    expect(geoScore(15.087269, 37.502669)).toBe(3479447370796909);
    const xy = [0, 0];
    decodeScore(3479099956230698, xy);
    expect(xy.map(humanLongDouble)).toEqual(PALERMO);
    // The top edges carry a 27th bit, as in Redis: 180,85.05112878 scores 3 * 2^52.
    expect(geoScore(180, 85.05112878)).toBe(3 * 2 ** 52);
    expect(geoScore(-180, -85.05112878)).toBe(0);
  });

  it('prints standard 11-character geohashes', () => {
    expect(geohashString(3479099956230698)).toBe('sqc8b49rny0');
    expect(geohashString(3479447370796909)).toBe('sqdtr74hyu0');
    expect(geohashString(geoScore(0, 0))).toBe('s0000000000');
  });

  it('measures with the haversine formula on Redis\'s earth radius', () => {
    const a = [0, 0];
    const b = [0, 0];
    decodeScore(3479099956230698, a);
    decodeScore(3479447370796909, b);
    expect(fixedPoint4(geoDistance(a[0], a[1], b[0], b[1]))).toBe('166274.1516');
    // Same longitude: the distance along the meridian.
    expect(geoDistance(10, 0, 10, 1)).toBeCloseTo(6372797.560856 * Math.PI / 180, 6);
  });

  it('covers a shape with the centre cell and its neighbours, dropping unreachable ones', () => {
    const small = searchCells({ circular: true, lon: 15, lat: 37, radius: 200, width: 0, height: 0, conversion: 1000 });
    expect(small).toHaveLength(9);
    const live = small.filter((c) => c.step !== 0);
    expect(live.length).toBeGreaterThan(0);
    for (const c of live) {
      const [min, max] = cellScores(c);
      expect(max).toBeGreaterThan(min);
    }
    // The centre's own score falls in the centre cell.
    const [min, max] = cellScores(small[0]);
    const s = geoScore(15, 37);
    expect(s >= min && s < max).toBe(true);
  });

  it('formats fixed decimals exactly (ties to even, no exponent)', () => {
    expect(fixedDecimal(0.0078125, 6)).toBe('0.007812');
    expect(fixedDecimal(200, 6)).toBe('200.000000');
    expect(fixedDecimal(-0, 6)).toBe('-0.000000');
    expect(fixedDecimal(1e21, 2)).toBe('1000000000000000000000.00');
    expect(humanLongDouble(-0)).toBe('0');
    expect(humanLongDouble(180)).toBe('180');
    expect(fixedPoint4(0)).toBe('0.0000');
    expect(fixedPoint4(0.00005)).toBe('0.0000');
    expect(fixedPoint4(1.23456)).toBe('1.2346');
  });
});

describe('GEOADD', () => {
  it('adds members scored with their geohash, ZADD\'s way', async () => {
    expect(await call('GEOADD', 'Sicily', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania')).toBe(int(2));
    expect(await call('ZSCORE', 'Sicily', 'Palermo')).toBe(bulk('3479099956230698'));
    expect(await call('TYPE', 'Sicily')).toBe('+zset\r\n');
    expect(await call('GEOADD', 'Sicily', '13.361389', '38.115556', 'Palermo')).toBe(int(0));
  });

  it('NX, XX and CH', async () => {
    await call('GEOADD', 'g1', '1', '1', 'a');
    expect(await call('GEOADD', 'g1', 'NX', '2', '2', 'a', '3', '3', 'b')).toBe(int(1));
    expect(await call('GEOPOS', 'g1', 'a')).toBe(`*1\r\n${pos('0.99999994039535522', '0.99999945914297683')}`);
    expect(await call('GEOADD', 'g1', 'XX', 'CH', '2', '2', 'a', '4', '4', 'c')).toBe(int(1));
    expect(await call('ZCARD', 'g1')).toBe(int(2));
    expect(await call('GEOADD', 'g1', 'CH', '2', '2', 'a', '5', '5', 'd')).toBe(int(1));
    expect(await call('GEOADD', 'nokey', 'XX', '1', '1', 'a')).toBe(int(0));
    expect(await call('EXISTS', 'nokey')).toBe(int(0));
  });

  it('checks every pair before changing anything', async () => {
    expect(await call('GEOADD', 'g2', '1', '1', 'ok', '200', '0', 'bad')).toBe(err('invalid longitude,latitude pair 200.000000,0.000000'));
    expect(await call('EXISTS', 'g2')).toBe(int(0));
    expect(await call('GEOADD', 'g2', '1', '85.06', 'a')).toBe(err('invalid longitude,latitude pair 1.000000,85.060000'));
    expect(await call('GEOADD', 'g2', 'x', '1', 'a')).toBe(err('value is not a valid float'));
    expect(await call('GEOADD', 'g2', 'NX', 'XX', '1', '1', 'a')).toBe(err('syntax error'));
    expect(await call('GEOADD', 'g2', '1', '1', 'a', '2')).toBe(err('syntax error'));
    expect(await call('GEOADD', 'g2', 'ch', 'ch', 'ch')).toBe(err('syntax error'));
    await call('SET', 'gstr', 'x');
    expect(await call('GEOADD', 'gstr', '1', '1', 'a')).toBe(WRONGTYPE);
    expect(await call('GEOADD', 'gstr', '500', '1', 'a')).toBe(err('invalid longitude,latitude pair 500.000000,1.000000'));
  });
});

describe('GEOPOS, GEOHASH, GEODIST', () => {
  it('GEOPOS: decoded positions, null arrays for missing members (RESP2 and RESP3)', async () => {
    expect(await call('GEOPOS', 'Sicily', 'Palermo', 'nosuch', 'Catania')).toBe(
      `*3\r\n${pos(PALERMO[0], PALERMO[1])}*-1\r\n${pos(CATANIA[0], CATANIA[1])}`);
    expect(await call('GEOPOS', 'nokey', 'a')).toBe('*1\r\n*-1\r\n');
    expect(await call3('GEOPOS', 'Sicily', 'Palermo', 'nosuch')).toBe(`*2\r\n${pos3(PALERMO[0], PALERMO[1])}_\r\n`);
    expect(await call('GEOPOS', 'gstr', 'a')).toBe(WRONGTYPE);
  });

  it('GEOHASH: 11 characters, null for missing members', async () => {
    expect(await call('GEOHASH', 'Sicily', 'Palermo', 'Catania', 'nosuch')).toBe(
      `*3\r\n${bulk('sqc8b49rny0')}${bulk('sqdtr74hyu0')}$-1\r\n`);
    expect(await call('GEOHASH', 'Sicily')).toBe('*0\r\n');
  });

  it('GEODIST: 4 decimals in every unit, null when a member or the key is missing', async () => {
    expect(await call('GEODIST', 'Sicily', 'Palermo', 'Catania')).toBe(bulk('166274.1516'));
    expect(await call('GEODIST', 'Sicily', 'Palermo', 'Catania', 'km')).toBe(bulk('166.2742'));
    expect(await call('GEODIST', 'Sicily', 'Palermo', 'Catania', 'MI')).toBe(bulk('103.3182'));
    expect(await call('GEODIST', 'Sicily', 'Palermo', 'Catania', 'ft')).toBe(bulk('545518.8700'));
    expect(await call('GEODIST', 'Sicily', 'Palermo', 'Palermo')).toBe(bulk('0.0000'));
    expect(await call('GEODIST', 'Sicily', 'Palermo', 'nosuch')).toBe('$-1\r\n');
    expect(await call('GEODIST', 'nokey', 'a', 'b')).toBe('$-1\r\n');
    expect(await call3('GEODIST', 'nokey', 'a', 'b')).toBe('_\r\n');
    expect(await call('GEODIST', 'Sicily', 'Palermo', 'Catania', 'yd')).toBe(err('unsupported unit provided. please use M, KM, FT, MI'));
    expect(await call('GEODIST', 'Sicily', 'Palermo', 'Catania', 'km', 'x')).toBe(err('syntax error'));
  });
});

describe('searches', () => {
  it('GEORADIUS with every WITH option, sorted both ways', async () => {
    expect(await call('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'WITHDIST', 'ASC')).toBe(
      `*2\r\n*2\r\n${bulk('Catania')}${bulk('56.4413')}*2\r\n${bulk('Palermo')}${bulk('190.4424')}`);
    expect(await call('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'DESC')).toBe(bulks('Palermo', 'Catania'));
    expect(await call('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'WITHHASH', 'WITHCOORD', 'WITHDIST', 'COUNT', '1')).toBe(
      `*1\r\n*4\r\n${bulk('Catania')}${bulk('56.4413')}:3479447370796909\r\n${pos(CATANIA[0], CATANIA[1])}`);
    expect(await call3('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'WITHCOORD', 'COUNT', '1')).toBe(
      `*1\r\n*2\r\n${bulk('Catania')}${pos3(CATANIA[0], CATANIA[1])}`);
    expect(await call('GEORADIUS', 'Sicily', '15', '37', '100', 'km')).toBe(bulks('Catania'));
    expect(await call('GEORADIUS_RO', 'Sicily', '15', '37', '1', 'm')).toBe('*0\r\n');
  });

  it('GEORADIUSBYMEMBER and GEOSEARCH from a member, by radius and by box', async () => {
    expect(await call('GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '200', 'km', 'WITHDIST')).toBe(
      `*2\r\n*2\r\n${bulk('Palermo')}${bulk('0.0000')}*2\r\n${bulk('Catania')}${bulk('166.2742')}`);
    expect(await call('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '400', '400', 'km', 'ASC', 'WITHDIST')).toBe(
      `*2\r\n*2\r\n${bulk('Catania')}${bulk('56.4413')}*2\r\n${bulk('Palermo')}${bulk('190.4424')}`);
    // A box narrower than Palermo's distance east-west leaves it out.
    expect(await call('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '100', '400', 'km')).toBe(bulks('Catania'));
    expect(await call('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Catania', 'BYRADIUS', '1', 'm')).toBe(bulks('Catania'));
  });

  it('rejects bad arguments with Redis\'s texts, in Redis\'s order', async () => {
    expect(await call('GEORADIUS', 'Sicily', '15', '37', '-1', 'km')).toBe(err('radius cannot be negative'));
    expect(await call('GEORADIUS', 'Sicily', '15', '37', 'x', 'km')).toBe(err('need numeric radius'));
    expect(await call('GEORADIUS', 'Sicily', '15', '37', '1', 'yd')).toBe(err('unsupported unit provided. please use M, KM, FT, MI'));
    expect(await call('GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'ANY')).toBe(err('the ANY argument requires COUNT argument'));
    expect(await call('GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'COUNT', '0')).toBe(err('COUNT must be > 0'));
    expect(await call('GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'STORE', 'd', 'WITHDIST')).toBe(
      err('STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options'));
    expect(await call('GEORADIUS_RO', 'Sicily', '15', '37', '1', 'km', 'STORE', 'd')).toBe(err('syntax error'));
    expect(await call('GEORADIUSBYMEMBER', 'Sicily', 'nosuch', '1', 'km')).toBe(err('could not decode requested zset member'));
    expect(await call('GEOSEARCH', 'Sicily', 'BYRADIUS', '1', 'km', 'COUNT', '1')).toBe(err('exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH'));
    expect(await call('geosearch', 'Sicily', 'FROMLONLAT', '1', '1', 'COUNT', '1')).toBe(err('exactly one of BYRADIUS and BYBOX can be specified for geosearch'));
    expect(await call('GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'BYBOX', '1', '-1', 'km')).toBe(err('height or width cannot be negative'));
    expect(await call('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km')).toBe(err('syntax error'));
    expect(await call('GEOSEARCHSTORE', 'd', 'Sicily', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'WITHCOORD')).toBe(
      err('GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options'));
    expect(await call('GEOSEARCH', 'gstr', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km')).toBe(WRONGTYPE);
    // A missing source still has its arguments read, then answers empty.
    expect(await call('GEORADIUSBYMEMBER', 'nokey', 'a', '1', 'km', 'BOGUS')).toBe(err('syntax error'));
    expect(await call('GEOSEARCH', 'nokey', 'FROMMEMBER', 'a', 'BYRADIUS', '1', 'km')).toBe('*0\r\n');
  });

  it('find exactly the members the distance function puts inside the shape', async () => {
    const rand = rng(42);
    const args: string[] = [];
    for (let i = 0; i < 400; i++) args.push((rand() * 4 - 2).toFixed(6), (45 + rand() * 3 - 1.5).toFixed(6), `m${i}`);
    expect(await call('GEOADD', 'grid', ...args)).toBe(int(400));
    const positions = new Map<string, number[]>();
    for (let i = 0; i < 400; i++) {
      const xy = [0, 0];
      decodeScore(geoScore(Number(args[i * 3]), Number(args[i * 3 + 1])), xy);
      positions.set(`m${i}`, xy);
    }
    for (let q = 0; q < 25; q++) {
      const lon = rand() * 4 - 2;
      const lat = 45 + rand() * 3 - 1.5;
      const radiusKm = 1 + rand() * 120;
      const reply = await call('GEOSEARCH', 'grid', 'FROMLONLAT', String(lon), String(lat), 'BYRADIUS', String(radiusKm), 'km', 'ASC');
      const got = reply.split('\r\n').filter((l) => l.startsWith('m'));
      const want = [...positions].map(([m, [x, y]]) => [m, geoDistance(lon, lat, x, y)] as const)
        .filter(([, d]) => d <= radiusKm * 1000).sort((a, b) => a[1] - b[1]).map(([m]) => m);
      expect(got, `${lon},${lat} r=${radiusKm}`).toEqual(want);
    }
  });

  it('COUNT keeps the nearest; COUNT ANY stops at the first found', async () => {
    const all = await call('GEOSEARCH', 'grid', 'FROMLONLAT', '0', '45', 'BYRADIUS', '50', 'km', 'ASC');
    const nearest = all.split('\r\n').filter((l) => l.startsWith('m')).slice(0, 5);
    expect(await call('GEOSEARCH', 'grid', 'FROMLONLAT', '0', '45', 'BYRADIUS', '50', 'km', 'COUNT', '5')).toBe(bulks(...nearest));
    const any = (await call('GEOSEARCH', 'grid', 'FROMLONLAT', '0', '45', 'BYRADIUS', '50', 'km', 'COUNT', '5', 'ANY')).split('\r\n').filter((l) => l.startsWith('m'));
    expect(any).toHaveLength(5);
    const inside = new Set(all.split('\r\n').filter((l) => l.startsWith('m')));
    for (const m of any) expect(inside.has(m)).toBe(true);
  });
});

describe('STORE, STOREDIST, GEOSEARCHSTORE', () => {
  it('stores hashes or distances, replacing the destination and its TTL', async () => {
    await call('SET', 'dst', 'x');
    await call('EXPIRE', 'dst', '1000');
    expect(await call('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'dst')).toBe(int(2));
    expect(await call('TTL', 'dst')).toBe(int(-1));
    expect(await call('ZRANGE', 'dst', '0', '-1', 'WITHSCORES')).toBe(bulks('Palermo', '3479099956230698', 'Catania', '3479447370796909'));
    expect(await call('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STOREDIST', 'dst')).toBe(int(2));
    expect(await call('ZRANGE', 'dst', '0', '-1', 'WITHSCORES')).toBe(bulks('Catania', '56.4412578701582', 'Palermo', '190.44242984775784'));
    expect(await call('GEOSEARCHSTORE', 'dst', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'COUNT', '1', 'STOREDIST')).toBe(int(1));
    expect(await call('ZRANGE', 'dst', '0', '-1', 'WITHSCORES')).toBe(bulks('Palermo', '0'));
  });

  it('an empty result deletes the destination', async () => {
    await call('ZADD', 'dst2', '1', 'a');
    expect(await call('GEORADIUS', 'Sicily', '15', '37', '1', 'm', 'STORE', 'dst2')).toBe(int(0));
    expect(await call('EXISTS', 'dst2')).toBe(int(0));
    await call('ZADD', 'dst2', '1', 'a');
    expect(await call('GEOSEARCHSTORE', 'dst2', 'nokey', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km')).toBe(int(0));
    expect(await call('EXISTS', 'dst2')).toBe(int(0));
  });

  it('notifies as Redis does: zadd, georadiusstore, geosearchstore, del', async () => {
    const sub = await RawClient.connect(server.port);
    others.push(sub);
    await call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    try {
      await sub.call('PSUBSCRIBE', '__keyevent@0__:*');
      const from = sub.received.length;
      await call('GEOADD', 'gev', '1', '1', 'a');
      await call('GEOADD', 'gev', 'NX', '1', '1', 'a'); // nothing changed: no event
      await call('GEORADIUS', 'gev', '1', '1', '10', 'km', 'STORE', 'gevd');
      await call('GEOSEARCHSTORE', 'gevd', 'gev', 'FROMLONLAT', '1', '1', 'BYRADIUS', '10', 'km');
      await call('GEOSEARCHSTORE', 'gevd', 'gev', 'FROMLONLAT', '50', '1', 'BYRADIUS', '10', 'km');
      const got = await sub.replyAt(from, 4);
      const events = got.split(/(?=\*4\r\n\$8\r\npmessage)/).map((m) => /__keyevent@0__:(\w+)/.exec(m)?.[1]).filter(Boolean);
      expect(events).toEqual(['zadd', 'georadiusstore', 'geosearchstore', 'del']);
    } finally {
      await call('CONFIG', 'SET', 'notify-keyspace-events', '');
    }
  });
});

describe('recorded from redis-server', async () => {
  const recorded = await startServer();
  const storedDistances = '7.0 prints STOREDIST\'s distances with %.17g, 7.2 (and respd) the shortest round-trip text';
  it('answers test/scenarios/geo.txt as redis-server does', () => replayScenario(recorded.port, 'geo', {
    'ZRANGEBYSCORE dst -inf +inf WITHSCORES': storedDistances,
    'ZREVRANGEBYSCORE dst +inf -inf WITHSCORES': storedDistances,
    'ZRANGEBYSCORE dst2 -inf +inf WITHSCORES': storedDistances,
    'ZRANGEBYSCORE dst3 -inf +inf WITHSCORES': storedDistances,
    'ZREVRANGEBYSCORE dst3 +inf -inf WITHSCORES': storedDistances,
    'ZRANGEBYSCORE pstore -inf +inf WITHSCORES LIMIT 0 5': storedDistances,
  }), 60000);
});
