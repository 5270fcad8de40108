// The geo searches (geo.c georadiusGeneric): GEORADIUS, GEORADIUSBYMEMBER and their _RO forms,
// GEOSEARCH and GEOSEARCHSTORE. The shape's 9 covering cells (data/geohash.ts) are score
// ranges of the sorted set; members in them are decoded and kept when inside the shape, then
// sorted by distance when asked (COUNT without ANY sorts ascending) and replied or stored.
// Arguments are read and checked in Redis's order, so the same error wins.
import {
  cellScores,
  decodeScore,
  distanceInShape,
  searchCells,
  validLonLat,
  type GeoShape,
} from '../data/geohash.js';
import { NIL, RedisZset } from '../data/zset.js';
import type { CommandCall } from '../table/table.js';
import { fixedDecimal, fixedPoint4, humanLongDouble } from '../util/fixed-decimal.js';
import { ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_SYNTAX } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import { notifyKeyspaceEvent } from './notify.js';
import { parseScore } from './zset-args.js';
import { lookupZset } from './zset-util.js';
import type { ReplyWriter } from '../protocol/reply.js';

/** Which command is searching (geo.c's RADIUS_* and GEOSEARCH flags). */
export const enum GeoFlag {
  Coords = 1 << 0,
  Member = 1 << 1,
  NoStore = 1 << 2,
  Search = 1 << 3,
  SearchStore = 1 << 4,
}

const enum Sort {
  None,
  Asc,
  Desc,
}

/** One member found inside the shape. */
interface GeoPoint {
  lon: number;
  lat: number;
  dist: number;
  score: number;
  member: string;
}

export const ERR_DECODE_MEMBER = 'could not decode requested zset member';

/** extractUnitOrReply: meters per unit, or -1 with the error replied. */
export function unitOrReply(call: CommandCall, unit: string): number {
  switch (unit.toLowerCase()) {
    case 'm':
      return 1;
    case 'km':
      return 1000;
    case 'ft':
      return 0.3048;
    case 'mi':
      return 1609.34;
  }
  call.reply.error('unsupported unit provided. please use M, KM, FT, MI');
  return -1;
}

/** getDoubleFromObjectOrReply: the argument as a double, or null with `msg` replied. */
function doubleOrReply(call: CommandCall, i: number, msg = ERR_NOT_FLOAT): number | null {
  const v = parseScore(call.args.str(i));
  if (v === null) call.reply.error(msg);
  return v;
}

/** extractLongLatOrReply: the pair at args[i], args[i+1] into xy, false with an error replied. */
export function lonLatOrReply(call: CommandCall, i: number, xy: number[]): boolean {
  const lon = doubleOrReply(call, i);
  if (lon === null) return false;
  const lat = doubleOrReply(call, i + 1);
  if (lat === null) return false;
  if (!validLonLat(lon, lat)) {
    call.reply.error(`invalid longitude,latitude pair ${fixedDecimal(lon, 6)},${fixedDecimal(lat, 6)}`);
    return false;
  }
  xy[0] = lon;
  xy[1] = lat;
  return true;
}

/** extractDistanceOrReply: radius and unit at args[i], args[i+1] into the shape. */
function radiusOrReply(call: CommandCall, i: number, shape: GeoShape): boolean {
  const r = doubleOrReply(call, i, 'need numeric radius');
  if (r === null) return false;
  if (r < 0) {
    call.reply.error('radius cannot be negative');
    return false;
  }
  const conversion = unitOrReply(call, call.args.str(i + 1));
  if (conversion < 0) return false;
  shape.radius = r;
  shape.conversion = conversion;
  return true;
}

/** extractBoxOrReply: width, height and unit at args[i..i+2] into the shape. */
function boxOrReply(call: CommandCall, i: number, shape: GeoShape): boolean {
  const w = doubleOrReply(call, i, 'need numeric width');
  if (w === null) return false;
  const h = doubleOrReply(call, i + 1, 'need numeric height');
  if (h === null) return false;
  if (h < 0 || w < 0) {
    call.reply.error('height or width cannot be negative');
    return false;
  }
  const conversion = unitOrReply(call, call.args.str(i + 2));
  if (conversion < 0) return false;
  shape.width = w;
  shape.height = h;
  shape.conversion = conversion;
  return true;
}

/** addReplyHumanLongDouble: a bulk string in RESP2, a double in RESP3. */
export function replyCoordinate(reply: ReplyWriter, v: number): void {
  const s = humanLongDouble(v);
  if (reply.resp === 3) reply.rawAscii(`,${s}\r\n`);
  else reply.bulkStr(s);
}

/** addReplyDoubleDistance: 4 decimals, always a bulk string. */
export function replyDistance(reply: ReplyWriter, d: number): void {
  reply.bulkStr(fixedPoint4(d));
}

/** The position of a member into xy; false when it is not in the set. */
export function memberLonLat(zs: RedisZset, member: string, xy: number[]): boolean {
  const score = zs.score(member);
  if (score === undefined) return false;
  decodeScore(score, xy);
  return true;
}

const xy = [0, 0];

/** geoGetPointsInRange: members of min <= score < max inside the shape, up to `limit` in all. */
function pointsInRange(zs: RedisZset, min: number, max: number, shape: GeoShape, out: GeoPoint[], limit: number): void {
  const rank = zs.firstInScoreRange({ min, minex: false, max, maxex: true });
  if (rank < 0) return;
  for (let id = zs.at(rank); id !== NIL; id = zs.next(id)) {
    const score = zs.scoreOf(id);
    if (!(score < max)) break;
    decodeScore(score, xy);
    const dist = distanceInShape(shape, xy[0], xy[1]);
    if (dist >= 0) out.push({ lon: xy[0], lat: xy[1], dist, score, member: zs.memberOf(id) });
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
  }
}

/**
 * membersOfAllNeighbors: the 9 cells in order, zero ones skipped and one equal to the last
 * searched skipped too (huge radii make neighbours coincide), stopping once `limit` is reached.
 */
function membersInShape(zs: RedisZset, shape: GeoShape, limit: number): GeoPoint[] {
  const cells = searchCells(shape);
  const out: GeoPoint[] = [];
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (c.bits === 0n && c.step === 0) continue;
    if (last !== 0 && c.bits === cells[last].bits && c.step === cells[last].step) continue;
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
    const [min, max] = cellScores(c);
    pointsInRange(zs, min, max, shape, out, limit);
    last = i;
  }
  return out;
}

/** `(long long)score` (truncation; out of range is INT64_MIN on x86-64): WITHHASH's integer. */
function scoreAsLongLong(score: number): number | bigint {
  if (Math.abs(score) < 2 ** 53) return Math.trunc(score);
  if (score >= -(2 ** 63) && score < 2 ** 63) return BigInt(score);
  return -(1n << 63n);
}

/** Deletes the STORE destination for an empty result, as Redis does. */
function deleteDestination(call: CommandCall, dst: string): void {
  const { server, client } = call;
  const db = server.keyspace.dbs[client.db];
  if (db.delete(dst, call.now)) {
    db.touch(dst);
    notifyKeyspaceEvent(server, 'g', 'del', dst, client.db);
    server.dirty++;
  }
}

/**
 * georadiusGeneric. `srcIndex`: where the source key is (2 for GEOSEARCHSTORE, whose
 * destination is args[1]); `flags`: GeoFlag bits saying which command this is.
 */
export function georadiusGeneric(call: CommandCall, srcIndex: number, flags: number): void {
  const { args, reply, server, client } = call;
  const db = server.keyspace.dbs[client.db];
  const zs = lookupZset(call, db, args.str(srcIndex));
  if (zs === null) return;

  const shape: GeoShape = { circular: true, lon: 0, lat: 0, radius: 0, width: 0, height: 0, conversion: 0 };
  const center = [0, 0];
  let storeKey: string | undefined;
  let base: number;
  if (flags & GeoFlag.Coords) {
    base = 6;
    if (!lonLatOrReply(call, 2, center)) return;
    if (!radiusOrReply(call, base - 2, shape)) return;
  } else if (flags & GeoFlag.Member) {
    base = 5;
    // Without a source key the options are still read, to pick the reply STORE asks for.
    if (zs !== undefined) {
      if (!memberLonLat(zs, args.str(2), center)) {
        reply.error(ERR_DECODE_MEMBER);
        return;
      }
      if (!radiusOrReply(call, base - 2, shape)) return;
    }
  } else {
    base = 2;
    if (flags & GeoFlag.SearchStore) {
      base = 3;
      storeKey = args.str(1);
    }
  }

  const search = (flags & GeoFlag.Search) !== 0;
  const storeAllowed = !(flags & GeoFlag.NoStore) && !search;
  let withDist = false;
  let withHash = false;
  let withCoords = false;
  let fromMember = false;
  let fromLoc = false;
  let byRadius = false;
  let byBox = false;
  let sort = Sort.None;
  let any = false;
  let count = 0;
  let storeDist = false;
  const remaining = args.count - base;
  for (let i = 0; i < remaining; i++) {
    const at = base + i;
    if (args.is(at, 'withdist')) withDist = true;
    else if (args.is(at, 'withhash')) withHash = true;
    else if (args.is(at, 'withcoord')) withCoords = true;
    else if (args.is(at, 'any')) any = true;
    else if (args.is(at, 'asc')) sort = Sort.Asc;
    else if (args.is(at, 'desc')) sort = Sort.Desc;
    else if (args.is(at, 'count') && i + 1 < remaining) {
      const n = parseInteger(args.str(at + 1));
      if (n === null) {
        reply.error(ERR_NOT_INTEGER);
        return;
      }
      if (n <= 0) {
        reply.error('COUNT must be > 0');
        return;
      }
      count = typeof n === 'bigint' ? Number.MAX_SAFE_INTEGER : n;
      i++;
    } else if (args.is(at, 'store') && i + 1 < remaining && storeAllowed) {
      storeKey = args.str(at + 1);
      storeDist = false;
      i++;
    } else if (args.is(at, 'storedist') && i + 1 < remaining && storeAllowed) {
      storeKey = args.str(at + 1);
      storeDist = true;
      i++;
    } else if (args.is(at, 'storedist') && search && flags & GeoFlag.SearchStore) {
      storeDist = true;
    } else if (args.is(at, 'frommember') && i + 1 < remaining && search && !fromLoc) {
      if (zs !== undefined && !memberLonLat(zs, args.str(at + 1), center)) {
        reply.error(ERR_DECODE_MEMBER);
        return;
      }
      fromMember = true;
      i++;
    } else if (args.is(at, 'fromlonlat') && i + 2 < remaining && search && !fromMember) {
      if (!lonLatOrReply(call, at + 1, center)) return;
      fromLoc = true;
      i += 2;
    } else if (args.is(at, 'byradius') && i + 2 < remaining && search && !byBox) {
      if (!radiusOrReply(call, at + 1, shape)) return;
      shape.circular = true;
      byRadius = true;
      i += 2;
    } else if (args.is(at, 'bybox') && i + 3 < remaining && search && !byRadius) {
      if (!boxOrReply(call, at + 1, shape)) return;
      shape.circular = false;
      byBox = true;
      i += 3;
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }

  if (storeKey !== undefined && (withDist || withHash || withCoords)) {
    const what = flags & GeoFlag.SearchStore ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS';
    reply.error(`${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
    return;
  }
  if (search && !(fromMember || fromLoc)) {
    reply.error(`exactly one of FROMMEMBER or FROMLONLAT can be specified for ${args.str(0)}`);
    return;
  }
  if (search && !(byRadius || byBox)) {
    reply.error(`exactly one of BYRADIUS and BYBOX can be specified for ${args.str(0)}`);
    return;
  }
  if (any && count === 0) {
    reply.error('the ANY argument requires COUNT argument');
    return;
  }

  if (zs === undefined) {
    if (storeKey !== undefined) {
      deleteDestination(call, storeKey);
      reply.integer(0);
    } else {
      reply.array(0);
    }
    return;
  }

  // COUNT means the nearest ones, so it sorts (ANY takes whatever is found first).
  if (count !== 0 && sort === Sort.None && !any) sort = Sort.Asc;
  shape.lon = center[0];
  shape.lat = center[1];
  const points = membersInShape(zs, shape, any ? count : 0);
  if (points.length === 0 && storeKey === undefined) {
    reply.array(0);
    return;
  }
  const returned = count === 0 || points.length < count ? points.length : count;
  // A stable sort: equal distances keep the order they were found in, as glibc's merge sort.
  if (sort === Sort.Asc) points.sort((a, b) => (a.dist > b.dist ? 1 : a.dist < b.dist ? -1 : 0));
  else if (sort === Sort.Desc) points.sort((a, b) => (a.dist < b.dist ? 1 : a.dist > b.dist ? -1 : 0));

  if (storeKey === undefined) {
    const options = (withDist ? 1 : 0) + (withCoords ? 1 : 0) + (withHash ? 1 : 0);
    reply.array(returned);
    for (let i = 0; i < returned; i++) {
      const p = points[i];
      if (options > 0) reply.array(options + 1);
      reply.bulkStr(p.member);
      if (withDist) replyDistance(reply, p.dist / shape.conversion);
      if (withHash) reply.integer(scoreAsLongLong(p.score));
      if (withCoords) {
        reply.array(2);
        replyCoordinate(reply, p.lon);
        replyCoordinate(reply, p.lat);
      }
    }
    return;
  }

  if (returned === 0) {
    deleteDestination(call, storeKey);
    reply.integer(0);
    return;
  }
  const result = new RedisZset();
  for (let i = 0; i < returned; i++) {
    const p = points[i];
    const score = storeDist ? p.dist / shape.conversion : p.score;
    // Cells do not overlap, so a member is found once (Redis asserts it).
    if (result.score(p.member) === undefined) result.insert(p.member, score);
  }
  db.set(storeKey, result);
  notifyKeyspaceEvent(server, 'z', search ? 'geosearchstore' : 'georadiusstore', storeKey, client.db);
  server.blocked.signalKeyAsReady(client.db, storeKey);
  server.dirty += returned;
  reply.integer(returned);
}
