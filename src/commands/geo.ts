// Geo commands (geo.c): positions kept in a sorted set, each member scored with the 52-bit
// geohash of its longitude,latitude (data/geohash.ts). GEOADD, GEODIST, GEOHASH and GEOPOS are
// here with every row of the family; the searches (GEORADIUS*, GEOSEARCH, GEOSEARCHSTORE) are
// in geo-search.ts. GEOADD is Redis's ZADD with computed scores: same replies, same "zadd"
// notification, same dirty count.
import type { Arg } from './propagate.js';
import { geoDistance, geohashString, geoScore } from '../data/geohash.js';
import { RedisZset } from '../data/zset.js';
import { CmdFlag, type CommandCall, type CommandDef, type KeySpecDef } from '../table/table.js';
import { ERR_SYNTAX } from '../util/errors.js';
import {
  GeoFlag,
  georadiusGeneric,
  lonLatOrReply,
  memberLonLat,
  replyCoordinate,
  replyDistance,
  unitOrReply,
} from './geo-search.js';
import { notifyKeyspaceEvent } from './notify.js';
import { lookupZset } from './zset-util.js';

const F = CmdFlag;

/** Scores of the members being added, reused across calls. */
const pendingScores: number[] = [];
const xy = [0, 0];

/** GEOADD key [NX|XX] [CH] longitude latitude member ... */
function geoadd(call: CommandCall): void {
  const { args, reply, client, server } = call;
  let nx = false;
  let xx = false;
  let ch = false;
  let at = 2;
  for (; at < args.count; at++) {
    if (args.is(at, 'nx')) nx = true;
    else if (args.is(at, 'xx')) xx = true;
    else if (args.is(at, 'ch')) ch = true;
    else break;
  }
  const elements = (args.count - at) / 3;
  // No element at all is ZADD's syntax error, which GEOADD hands its options to.
  if ((args.count - at) % 3 !== 0 || (xx && nx) || elements === 0) {
    reply.error(ERR_SYNTAX);
    return;
  }
  pendingScores.length = elements;
  for (let i = 0; i < elements; i++) {
    if (!lonLatOrReply(call, at + i * 3, xy)) return;
    pendingScores[i] = geoScore(xy[0], xy[1]);
  }

  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  let zs = lookupZset(call, db, key);
  if (zs === null) return;
  if (zs === undefined) {
    if (xx) {
      reply.integer(0);
      return;
    }
    zs = new RedisZset();
    db.set(key, zs);
  }
  zs.sizeHint(elements);
  let added = 0;
  let updated = 0;
  for (let i = 0; i < elements; i++) {
    const member = args.str(at + i * 3 + 2);
    const score = pendingScores[i];
    const current = zs.score(member);
    if (current !== undefined) {
      if (nx) continue;
      if (score !== current) {
        zs.setScore(member, score);
        updated++;
      }
    } else {
      if (xx) continue;
      zs.insert(member, score);
      added++;
    }
  }
  server.dirty += added + updated;
  reply.integer(ch ? added + updated : added);
  // Propagated as the ZADD it is: the options as sent, then each geohash score and member.
  if (server.propagation.active) {
    const argv: Arg[] = ['zadd'];
    for (let i = 1; i < at; i++) argv.push(args.buf(i));
    for (let i = 0; i < elements; i++) argv.push(String(pendingScores[i]), args.buf(at + i * 3 + 2));
    call.propagateAs = argv;
  }
  if (added > 0 || updated > 0) {
    db.touch(key);
    notifyKeyspaceEvent(server, 'z', 'zadd', key, client.db);
    if (added > 0) server.blocked.signalKeyAsReady(client.db, key);
  }
}

/** GEODIST key member1 member2 [M|KM|FT|MI] */
function geodist(call: CommandCall): void {
  const { args, reply } = call;
  let toMeter = 1;
  if (args.count === 5) {
    toMeter = unitOrReply(call, args.str(4));
    if (toMeter < 0) return;
  } else if (args.count > 5) {
    reply.error(ERR_SYNTAX);
    return;
  }
  const zs = lookupZset(call, call.server.keyspace.dbs[call.client.db], args.str(1));
  if (zs === null) return;
  const a = [0, 0];
  const b = [0, 0];
  if (zs === undefined || !memberLonLat(zs, args.str(2), a) || !memberLonLat(zs, args.str(3), b)) {
    reply.nullBulk();
    return;
  }
  replyDistance(reply, geoDistance(a[0], a[1], b[0], b[1]) / toMeter);
}

/** GEOHASH key [member ...]: 11-character standard geohashes, null for a missing member. */
function geohash(call: CommandCall): void {
  const { args, reply } = call;
  const zs = lookupZset(call, call.server.keyspace.dbs[call.client.db], args.str(1));
  if (zs === null) return;
  reply.array(args.count - 2);
  for (let i = 2; i < args.count; i++) {
    const score = zs?.score(args.str(i));
    if (score === undefined) reply.nullBulk();
    else reply.bulkStr(geohashString(score));
  }
}

/** GEOPOS key [member ...]: [longitude, latitude] as decoded from the score, null if missing. */
function geopos(call: CommandCall): void {
  const { args, reply } = call;
  const zs = lookupZset(call, call.server.keyspace.dbs[call.client.db], args.str(1));
  if (zs === null) return;
  reply.array(args.count - 2);
  for (let i = 2; i < args.count; i++) {
    if (zs === undefined || !memberLonLat(zs, args.str(i), xy)) {
      reply.nullArray();
      continue;
    }
    reply.array(2);
    replyCoordinate(reply, xy[0]);
    replyCoordinate(reply, xy[1]);
  }
}

// ---- the rows ---------------------------------------------------------------------------------

const key1 = { firstKey: 1, lastKey: 1, step: 1 };
const spec = (flags: string[], begin = 1): KeySpecDef[] => [{ flags, begin, lastKey: 0, step: 1 }];
const RO_ACCESS = spec(['RO', 'access']);
/** GEORADIUS's STORE / STOREDIST destination, found after its keyword. */
const storeSpecs = (startFrom: number): KeySpecDef[] => [
  { flags: ['OW', 'update'], begin: 0, keyword: { keyword: 'STORE', startFrom }, lastKey: 0, step: 1 },
  { flags: ['OW', 'update'], begin: 0, keyword: { keyword: 'STOREDIST', startFrom }, lastKey: 0, step: 1 },
];

const W = ['write', 'geo', 'slow'];
const R = ['read', 'geo', 'slow'];
const group = 'geo';
const RADIUS = 'O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.';
const SEARCH = 'O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape';

export const geoCommands: CommandDef[] = [
  {
    name: 'geoadd', arity: -5, flags: F.Write | F.DenyOom, acl: W, group, since: '3.2.0',
    summary: 'Adds one or more members to a geospatial index. The key is created if it doesn\'t exist.',
    complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    ...key1, keySpecs: spec(['RW', 'update']), handler: geoadd,
  },
  {
    name: 'geodist', arity: -4, flags: F.Readonly, acl: R, group, since: '3.2.0',
    summary: 'Returns the distance between two members of a geospatial index.', complexity: 'O(1)',
    ...key1, keySpecs: RO_ACCESS, handler: geodist,
  },
  {
    name: 'geohash', arity: -2, flags: F.Readonly, acl: R, group, since: '3.2.0',
    summary: 'Returns members from a geospatial index as geohash strings.',
    complexity: 'O(1) for each member requested.', ...key1, keySpecs: RO_ACCESS, handler: geohash,
  },
  {
    name: 'geopos', arity: -2, flags: F.Readonly, acl: R, group, since: '3.2.0',
    summary: 'Returns the longitude and latitude of members from a geospatial index.',
    complexity: 'O(1) for each member requested.', ...key1, keySpecs: RO_ACCESS, handler: geopos,
  },
  {
    name: 'georadius', arity: -6, flags: F.Write | F.DenyOom | F.MovableKeys, acl: W, group, since: '3.2.0',
    summary: 'Queries a geospatial index for members within a distance from a coordinate, optionally stores the result.',
    complexity: RADIUS, ...key1, keySpecs: [...RO_ACCESS, ...storeSpecs(6)],
    handler: (c) => georadiusGeneric(c, 1, GeoFlag.Coords),
  },
  {
    name: 'georadius_ro', arity: -6, flags: F.Readonly, acl: R, group, since: '3.2.10',
    summary: 'Returns members from a geospatial index that are within a distance from a coordinate.',
    complexity: RADIUS, ...key1, keySpecs: RO_ACCESS,
    handler: (c) => georadiusGeneric(c, 1, GeoFlag.Coords | GeoFlag.NoStore),
  },
  {
    name: 'georadiusbymember', arity: -5, flags: F.Write | F.DenyOom | F.MovableKeys, acl: W, group, since: '3.2.0',
    summary: 'Queries a geospatial index for members within a distance from a member, optionally stores the result.',
    complexity: RADIUS, ...key1, keySpecs: [...RO_ACCESS, ...storeSpecs(5)],
    handler: (c) => georadiusGeneric(c, 1, GeoFlag.Member),
  },
  {
    name: 'georadiusbymember_ro', arity: -5, flags: F.Readonly, acl: R, group, since: '3.2.10',
    summary: 'Returns members from a geospatial index that are within a distance from a member.',
    complexity: RADIUS, ...key1, keySpecs: RO_ACCESS,
    handler: (c) => georadiusGeneric(c, 1, GeoFlag.Member | GeoFlag.NoStore),
  },
  {
    name: 'geosearch', arity: -7, flags: F.Readonly, acl: R, group, since: '6.2.0',
    summary: 'Queries a geospatial index for members inside an area of a box or a circle.',
    complexity: SEARCH, ...key1, keySpecs: RO_ACCESS, handler: (c) => georadiusGeneric(c, 1, GeoFlag.Search),
  },
  {
    name: 'geosearchstore', arity: -8, flags: F.Write | F.DenyOom, acl: W, group, since: '6.2.0',
    summary: 'Queries a geospatial index for members inside an area of a box or a circle, optionally stores the result.',
    complexity: SEARCH, firstKey: 1, lastKey: 2, step: 1,
    keySpecs: [...spec(['OW', 'update']), ...spec(['RO', 'access'], 2)],
    handler: (c) => georadiusGeneric(c, 2, GeoFlag.Search | GeoFlag.SearchStore),
  },
];
