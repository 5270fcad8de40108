// Redis's geohash (geohash.c, geohash_helper.c): a longitude,latitude pair becomes a 52-bit
// interleaved hash (latitude bits at even positions, longitude at odd ones, 26 each) over
// longitudes -180..180 and latitudes -85.05112878..85.05112878 (the Web Mercator limits), and
// that hash, as a double, is the member's score in the sorted set. Decoding gives the centre of
// the hash's cell, so a position read back differs slightly from the one given.
// A search covers its shape with the cell holding the centre plus its 8 neighbours, at a
// precision (step) picked from the radius; each cell is a score range of the sorted set.
// Arithmetic follows the C order of operations so results match Redis to the last bit; the few
// 64-bit steps done once per query use BigInt, the per-member ones 32-bit words.

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
/** Earth's quadratic mean radius for WGS-84, as Redis has it. */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180.0;

const degRad = (ang: number): number => ang * D_R;
const radDeg = (ang: number): number => ang / D_R;

/** A hash of `step` bits per coordinate; bits 0 with step 0 is Redis's "zero" (no cell). */
export interface GeoHashBits {
  bits: bigint;
  step: number;
}

export interface GeoHashArea {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

interface Range {
  min: number;
  max: number;
}

const LONG_RANGE: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
const LAT_RANGE: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
/** The standard geohash latitude range GEOHASH re-encodes with. */
const LAT_RANGE_STANDARD: Range = { min: -90, max: 90 };

// ---- bit interleaving on 32-bit words ---------------------------------------------------------

/** The low 16 bits of x spread to the even positions of a 32-bit word. */
function spread16(x: number): number {
  x &= 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x;
}

/** The even bits of a 32-bit word gathered into 16 bits. */
function compact16(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x;
}

/** interleave64(lat, lon) of two uint32 values, as its high and low 32-bit words. */
function interleaveWords(lat: number, lon: number, out: number[]): void {
  out[0] = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
  out[1] = (spread16(lat) | (spread16(lon) << 1)) >>> 0;
}

const words = [0, 0];

/** The (uint32) offsets of a coordinate pair at `step`, as geohashEncode truncates them. */
function offsets(lonR: Range, latR: Range, lon: number, lat: number, step: number): [number, number] {
  let latOffset = (lat - latR.min) / (latR.max - latR.min);
  let lonOffset = (lon - lonR.min) / (lonR.max - lonR.min);
  latOffset *= 2 ** step;
  lonOffset *= 2 ** step;
  return [latOffset >>> 0, lonOffset >>> 0];
}

/** geohashEncode: the hash of a pair inside the valid range (callers check it). */
function encode(lonR: Range, latR: Range, lon: number, lat: number, step: number): bigint {
  const [la, lo] = offsets(lonR, latR, lon, lat, step);
  interleaveWords(la, lo, words);
  return (BigInt(words[0]) << 32n) | BigInt(words[1]);
}

/**
 * The score GEOADD stores for a valid pair: the 52-bit hash (53 or 54 bits at the range's top
 * edge, as in Redis), rounded to a double as ZADD's strtod of its decimal text rounds it.
 */
export function geoScore(lon: number, lat: number): number {
  const [la, lo] = offsets(LONG_RANGE, LAT_RANGE, lon, lat, GEO_STEP_MAX);
  interleaveWords(la, lo, words);
  return words[0] * 2 ** 32 + words[1];
}

/** Whether a pair is inside the range GEOADD and the searches accept. */
export function validLonLat(lon: number, lat: number): boolean {
  return !(lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX);
}

// ---- decoding ---------------------------------------------------------------------------------

/**
 * `(uint64_t)score` as x86-64 code compiled by gcc computes it: truncation, negatives wrapped
 * (two's complement), values out of range becoming 2^63 (below) or 0 (above).
 */
function scoreWords(score: number, out: number[]): void {
  if (score >= 0 && score < 2 ** 53) {
    const t = Math.floor(score);
    out[0] = Math.floor(t / 2 ** 32);
    out[1] = t % 2 ** 32;
    return;
  }
  let v: bigint;
  if (score >= 2 ** 63) {
    v = score - 2 ** 63 < 2 ** 63 ? BigInt(score) : 0n;
  } else if (score >= -(2 ** 63) && score < 2 ** 63) {
    v = BigInt.asUintN(64, BigInt(Math.trunc(score)));
  } else {
    v = 1n << 63n;
  }
  out[0] = Number(v >> 32n);
  out[1] = Number(v & 0xffffffffn);
}

/** geohashDecode over the WGS84 ranges of a hash given as 64-bit words. */
function decodeWords(hi: number, lo: number, step: number, area: GeoHashArea): void {
  const ilat = compact16(lo) + compact16(hi) * 65536;
  const ilon = compact16(lo >>> 1) + compact16(hi >>> 1) * 65536;
  const div = 2 ** step;
  const latScale = LAT_RANGE.max - LAT_RANGE.min;
  const lonScale = LONG_RANGE.max - LONG_RANGE.min;
  // (ilat + 1) is uint32 arithmetic in C: it wraps to 0.
  area.latMin = LAT_RANGE.min + (ilat / div) * latScale;
  area.latMax = LAT_RANGE.min + (((ilat + 1) % 2 ** 32) / div) * latScale;
  area.lonMin = LONG_RANGE.min + (ilon / div) * lonScale;
  area.lonMax = LONG_RANGE.min + (((ilon + 1) % 2 ** 32) / div) * lonScale;
}

/** The cell of a hash (geohashDecode over the WGS84 ranges). */
export function decodeHash(h: GeoHashBits): GeoHashArea {
  const area: GeoHashArea = { lonMin: 0, lonMax: 0, latMin: 0, latMax: 0 };
  decodeWords(Number(h.bits >> 32n), Number(h.bits & 0xffffffffn), h.step, area);
  return area;
}

const scratchArea: GeoHashArea = { lonMin: 0, lonMax: 0, latMin: 0, latMax: 0 };

/** decodeGeohash: a member's score as [longitude, latitude] into `xy` (the cell's centre). */
export function decodeScore(score: number, xy: number[]): void {
  scoreWords(score, words);
  decodeWords(words[0], words[1], GEO_STEP_MAX, scratchArea);
  const a = scratchArea;
  let lon = (a.lonMin + a.lonMax) / 2;
  if (lon > GEO_LONG_MAX) lon = GEO_LONG_MAX;
  if (lon < GEO_LONG_MIN) lon = GEO_LONG_MIN;
  let lat = (a.latMin + a.latMax) / 2;
  if (lat > GEO_LAT_MAX) lat = GEO_LAT_MAX;
  if (lat < GEO_LAT_MIN) lat = GEO_LAT_MIN;
  xy[0] = lon;
  xy[1] = lat;
}

const ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/**
 * GEOHASH's 11 characters: the decoded position re-encoded over the standard -90..90 latitude
 * range, 5 bits a character; the 11th has no bits left and is always '0'.
 */
export function geohashString(score: number): string {
  const xy = [0, 0];
  decodeScore(score, xy);
  const bits = encode(LONG_RANGE, LAT_RANGE_STANDARD, xy[0], xy[1], GEO_STEP_MAX);
  let s = '';
  for (let i = 0; i < 10; i++) s += ALPHABET[Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn)];
  return s + '0';
}

// ---- neighbours and the search cells ------------------------------------------------------------

const ODD = 0xaaaaaaaaaaaaaaaan;
const EVEN = 0x5555555555555555n;
const U64 = (1n << 64n) - 1n;

/** geohash_move_x / geohash_move_y: one cell east/west (odd bits) or north/south (even bits). */
function move(h: GeoHashBits, d: number, coordMask: bigint, otherMask: bigint): GeoHashBits {
  if (d === 0) return h;
  let c = h.bits & coordMask;
  const other = h.bits & otherMask;
  const shift = BigInt(64 - h.step * 2);
  const zz = otherMask >> shift;
  if (d > 0) c = (c + (zz + 1n)) & U64;
  else c = ((c | zz) - (zz + 1n)) & U64;
  c &= coordMask >> shift;
  return { bits: c | other, step: h.step };
}

const moveX = (h: GeoHashBits, d: number): GeoHashBits => move(h, d, ODD, EVEN);
const moveY = (h: GeoHashBits, d: number): GeoHashBits => move(h, d, EVEN, ODD);

/** What a search looks for: a circle (radius) or a box (width by height) around lon,lat. */
export interface GeoShape {
  circular: boolean;
  lon: number;
  lat: number;
  radius: number;
  width: number;
  height: number;
  /** Meters per unit of radius, width and height. */
  conversion: number;
}

/** geohashEstimateStepsByRadius: cells about the radius's size, wider towards the poles. */
function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** geohashBoundingBox: [min lon, min lat, max lon, max lat] of the shape. */
function boundingBox(s: GeoShape): [number, number, number, number] {
  const height = s.conversion * (s.circular ? s.radius : s.height / 2);
  const width = s.conversion * (s.circular ? s.radius : s.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(s.lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(s.lat - latDelta)));
  const south = s.lat < 0;
  return [
    south ? s.lon - lonDeltaBottom : s.lon - lonDeltaTop,
    s.lat - latDelta,
    south ? s.lon + lonDeltaBottom : s.lon + lonDeltaTop,
    s.lat + latDelta,
  ];
}

const ZERO: GeoHashBits = { bits: 0n, step: 0 };

/**
 * geohashCalculateAreasByShapeWGS84: the 9 cells to search, in Redis's order (centre, north,
 * south, east, west, north-east, north-west, south-east, south-west); cells the shape cannot
 * reach are zero (bits 0, step 0).
 */
export function searchCells(s: GeoShape): GeoHashBits[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(s);
  let radiusMeters = s.circular ? s.radius : Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2));
  radiusMeters *= s.conversion;
  let steps = estimateSteps(radiusMeters, s.lat);
  let hash: GeoHashBits = { bits: encode(LONG_RANGE, LAT_RANGE, s.lon, s.lat, steps), step: steps };
  let n = neighbours(hash);
  // A centre near its cell's edge may need a coarser step for the neighbours to cover the shape.
  const north = decodeHash(n[1]);
  const south = decodeHash(n[2]);
  const east = decodeHash(n[3]);
  const west = decodeHash(n[4]);
  const decrease = north.latMax < maxLat || south.latMin > minLat || east.lonMax < maxLon || west.lonMin > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = { bits: encode(LONG_RANGE, LAT_RANGE, s.lon, s.lat, steps), step: steps };
    n = neighbours(hash);
  }
  const area = decodeHash(hash);
  if (steps >= 2) {
    // Drop the neighbours on sides the shape does not reach past the centre cell.
    if (area.latMin < minLat) n[2] = n[7] = n[8] = ZERO;
    if (area.latMax > maxLat) n[1] = n[5] = n[6] = ZERO;
    if (area.lonMin < minLon) n[4] = n[8] = n[6] = ZERO;
    if (area.lonMax > maxLon) n[3] = n[7] = n[5] = ZERO;
  }
  return n;
}

/** The cell and its neighbours: centre, N, S, E, W, NE, NW, SE, SW. */
function neighbours(h: GeoHashBits): GeoHashBits[] {
  return [
    h,
    moveY(h, 1),
    moveY(h, -1),
    moveX(h, 1),
    moveX(h, -1),
    moveY(moveX(h, 1), 1),
    moveY(moveX(h, -1), 1),
    moveY(moveX(h, 1), -1),
    moveY(moveX(h, -1), -1),
  ];
}

/** scoresOfGeoHashBox: the scores min (included) and max (excluded) of a cell's members. */
export function cellScores(h: GeoHashBits): [number, number] {
  const shift = BigInt(52 - h.step * 2);
  return [Number((h.bits << shift) & U64), Number(((h.bits + 1n) << shift) & U64)];
}

// ---- distances ------------------------------------------------------------------------------------

/** geohashGetLatDistance: along a meridian. */
export function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2) - degRad(lat1));
}

/** geohashGetDistance: haversine great-circle distance in meters. */
export function geoDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1);
  const lon2r = degRad(lon2);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/**
 * geoWithinShape: the distance from the shape's centre to lon,lat in meters, or -1 when the
 * point is outside (a box compares its half sides along the parallel and the meridian).
 */
export function distanceInShape(s: GeoShape, lon: number, lat: number): number {
  if (s.circular) {
    const d = geoDistance(s.lon, s.lat, lon, lat);
    return d > s.radius * s.conversion ? -1 : d;
  }
  const widthM = s.width * s.conversion;
  const heightM = s.height * s.conversion;
  if (latDistance(lat, s.lat) > heightM / 2) return -1;
  if (geoDistance(lon, lat, s.lon, lat) > widthM / 2) return -1;
  return geoDistance(s.lon, s.lat, lon, lat);
}
