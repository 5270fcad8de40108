// COMMAND DOCS replies (addReplyCommandDocs, addReplyCommandArgList). A row's summary, since, group
// and complexity come from respd's table; the rest Redis generates from its src/commands/*.json
// (arguments, doc_flags, deprecated_since, replaced_by, history) is read from
// data/command-docs.json (scripts/generate-command-docs.mjs), and only on the first COMMAND DOCS,
// so startup neither reads nor parses it.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReplyWriter } from '../protocol/reply.js';
import type { Command } from '../table/table.js';

/** One argument as the generator writes it (short keys keep the file small). */
interface ArgDoc {
  /** name */
  n: string;
  /** type: string, integer, double, key, pattern, unix-time, pure-token, oneof, block */
  t: string;
  /** display_text, when it is not the name (never on oneof/block) */
  d?: string;
  /** key_spec_index */
  k?: number;
  /** token (MIGRATE has an empty one) */
  tk?: string;
  /** summary */
  s?: string;
  /** since */
  si?: string;
  /** deprecated_since */
  ds?: string;
  /** flags, in Redis's order: optional, multiple, multiple_token */
  f?: string[];
  /** the arguments of a oneof or block */
  a?: ArgDoc[];
}

/** What a command's row gains from Redis's json. */
interface CommandDoc {
  /** doc_flags: deprecated, syscmd */
  df?: string[];
  /** deprecated_since */
  ds?: string;
  /** replaced_by */
  rb?: string;
  /** history: [since, changes] */
  h?: [string, string][];
  /** arguments */
  a?: ArgDoc[];
}

// src/commands or dist/commands: the package root is two levels up either way.
const DATA = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'command-docs.json');

let loaded: Map<string, CommandDoc> | undefined;

/** The generated docs by full name ("get", "config|get"), read once. */
function commandDocs(): Map<string, CommandDoc> {
  if (!loaded) loaded = new Map(Object.entries(JSON.parse(readFileSync(DATA, 'utf8')) as Record<string, CommandDoc>));
  return loaded;
}

function replyFlags(r: ReplyWriter, flags: readonly string[]): void {
  r.set(flags.length);
  for (const f of flags) r.status(f);
}

function replyArgs(r: ReplyWriter, args: readonly ArgDoc[]): void {
  r.array(args.length);
  for (const a of args) {
    const container = a.t === 'oneof' || a.t === 'block';
    const fields = 3 + (a.k !== undefined ? 1 : 0) + (a.tk !== undefined ? 1 : 0) + (a.s !== undefined ? 1 : 0) +
      (a.si !== undefined ? 1 : 0) + (a.ds !== undefined ? 1 : 0) + (a.f ? 1 : 0);
    r.map(fields);
    r.bulkStr('name');
    r.bulkStr(a.n);
    r.bulkStr('type');
    r.bulkStr(a.t);
    if (!container) {
      r.bulkStr('display_text');
      r.bulkStr(a.d ?? a.n);
    }
    if (a.k !== undefined) {
      r.bulkStr('key_spec_index');
      r.integer(a.k);
    }
    if (a.tk !== undefined) {
      r.bulkStr('token');
      r.bulkStr(a.tk);
    }
    if (a.s !== undefined) {
      r.bulkStr('summary');
      r.bulkStr(a.s);
    }
    if (a.si !== undefined) {
      r.bulkStr('since');
      r.bulkStr(a.si);
    }
    if (a.ds !== undefined) {
      r.bulkStr('deprecated_since');
      r.bulkStr(a.ds);
    }
    if (a.f) {
      r.bulkStr('flags');
      replyFlags(r, a.f);
    }
    if (container) {
      r.bulkStr('arguments');
      replyArgs(r, a.a ?? []);
    }
  }
}

/** One command's docs map, in addReplyCommandDocs's field order. */
export function replyDocs(r: ReplyWriter, c: Command): void {
  const d = c.def;
  const doc = commandDocs().get(c.fullName) ?? {};
  const subs = c.subcommands ? [...c.subcommands.values()] : [];
  const fields = 3 + (d.complexity ? 1 : 0) + (doc.df ? 1 : 0) + (doc.ds !== undefined ? 1 : 0) + (doc.rb !== undefined ? 1 : 0) +
    (doc.h ? 1 : 0) + (doc.a ? 1 : 0) + (subs.length ? 1 : 0);
  r.map(fields);
  r.bulkStr('summary');
  r.bulkStr(d.summary);
  r.bulkStr('since');
  r.bulkStr(d.since);
  r.bulkStr('group');
  r.bulkStr(d.group);
  if (d.complexity) {
    r.bulkStr('complexity');
    r.bulkStr(d.complexity);
  }
  if (doc.df) {
    r.bulkStr('doc_flags');
    replyFlags(r, doc.df);
  }
  if (doc.ds !== undefined) {
    r.bulkStr('deprecated_since');
    r.bulkStr(doc.ds);
  }
  if (doc.rb !== undefined) {
    r.bulkStr('replaced_by');
    r.bulkStr(doc.rb);
  }
  if (doc.h) {
    r.bulkStr('history');
    r.set(doc.h.length);
    for (const [since, changes] of doc.h) {
      r.array(2);
      r.bulkStr(since);
      r.bulkStr(changes);
    }
  }
  if (doc.a) {
    r.bulkStr('arguments');
    replyArgs(r, doc.a);
  }
  if (subs.length) {
    r.bulkStr('subcommands');
    r.map(subs.length);
    for (const s of subs) {
      r.bulkStr(s.fullName);
      replyDocs(r, s);
    }
  }
}
