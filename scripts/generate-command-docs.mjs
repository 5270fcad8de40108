#!/usr/bin/env node
// Generates data/command-docs.json, the part of COMMAND DOCS that respd's command rows do not carry
// (arguments, doc_flags, deprecated_since, replaced_by, history), from Redis's src/commands/*.json
// the way utils/generate-command-code.py turns them into commands.def:
//   - argument names are lower-cased, tokens upper-cased, "display" lower-cased (and only kept
//     for non-container arguments, the only ones COMMAND DOCS shows it for);
//   - optional strings are absent when empty, and otherwise pass through a C string literal
//     ("%s" with \n escaped), so MIGRATE's token "\"\"" becomes the empty string Redis replies;
//   - commands flagged ONLY_SENTINEL are left out (redis-server's table has none of them).
// Entries are keyed by full name ("get", "config|get"). Read from a bare Redis git dir:
//   node scripts/generate-command-docs.mjs --git /work/.mirror/redis+redis/repo --ref 7.2.6
// or from a directory of the json files:
//   node scripts/generate-command-docs.mjs --dir redis/src/commands
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const gitDir = opt('--git');
const ref = opt('--ref') ?? '7.2.6';
const dir = opt('--dir');
const out = opt('--out') ?? new URL('../data/command-docs.json', import.meta.url).pathname;
if (!gitDir && !dir) {
  console.error('usage: generate-command-docs.mjs (--git REDIS_GIT_DIR [--ref 7.2.6] | --dir SRC_COMMANDS_DIR) [--out FILE]');
  process.exit(2);
}

/** The text of every src/commands/*.json. */
function sources() {
  if (dir) return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => readFileSync(join(dir, f), 'utf8'));
  const git = (...a) => execFileSync('git', ['-C', gitDir, ...a], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return git('ls-tree', '--name-only', `${ref}:src/commands`).split('\n')
    .filter((f) => f.endsWith('.json')).sort()
    .map((f) => git('show', `${ref}:src/commands/${f}`));
}

/**
 * The value C gives the literal the generator writes: '"' + text + '"', where a quote inside the
 * text ends one literal and starts the next (adjacent literals concatenate) and \ escapes.
 */
function cLiteral(text) {
  const src = `"${text}"`;
  let v = '';
  let inside = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '"') inside = !inside;
    else if (!inside) continue;
    else if (ch === '\\') {
      const e = src[++i];
      v += { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', "'": "'" }[e] ?? e;
    } else v += ch;
  }
  return v;
}

/** get_optional_desc_string: absent when missing or empty. */
function optional(desc, field, upper = false) {
  const v = desc[field];
  if (!v) return undefined;
  return cLiteral((upper ? String(v).toUpperCase() : String(v)).replace(/\n/g, '\\n'));
}

function argument(desc) {
  const a = { n: desc.name.toLowerCase(), t: desc.type };
  const container = desc.type === 'oneof' || desc.type === 'block';
  if (!container && 'display' in desc) {
    const d = cLiteral(String(desc.display).toLowerCase());
    if (d !== a.n) a.d = d;
  }
  if (desc.key_spec_index !== undefined) a.k = desc.key_spec_index;
  const token = optional(desc, 'token', true);
  if (token !== undefined) a.tk = token;
  const summary = optional(desc, 'summary');
  if (summary !== undefined) a.s = summary;
  const since = optional(desc, 'since');
  if (since !== undefined) a.si = since;
  const deprecated = optional(desc, 'deprecated_since');
  if (deprecated !== undefined) a.ds = deprecated;
  // addReplyFlagsForArg's order.
  const flags = ['optional', 'multiple', 'multiple_token'].filter((f) => desc[f]);
  if (flags.length) a.f = flags;
  if (container) a.a = desc.arguments.map(argument);
  return a;
}

function commandDoc(desc) {
  const d = {};
  // addReplyDocFlagsForCommand's order.
  const docFlags = ['DEPRECATED', 'SYSCMD'].filter((f) => (desc.doc_flags ?? []).includes(f)).map((f) => f.toLowerCase());
  if (docFlags.length) d.df = docFlags;
  const deprecated = optional(desc, 'deprecated_since');
  if (deprecated !== undefined) d.ds = deprecated;
  const replaced = optional(desc, 'replaced_by');
  if (replaced !== undefined) d.rb = replaced;
  if (desc.history?.length) d.h = desc.history.map(([since, changes]) => [cLiteral(since), cLiteral(changes)]);
  if (desc.arguments?.length) d.a = desc.arguments.map(argument);
  return d;
}

const docs = {};
for (const text of sources()) {
  for (const [name, desc] of Object.entries(JSON.parse(text))) {
    if ((desc.command_flags ?? []).includes('ONLY_SENTINEL')) continue;
    const full = desc.container ? `${desc.container.toLowerCase()}|${name.toLowerCase()}` : name.toLowerCase();
    docs[full] = commandDoc(desc);
  }
}
const names = Object.keys(docs).sort();
const body = names.map((n) => `${JSON.stringify(n)}:${JSON.stringify(docs[n])}`).join(',\n');
writeFileSync(out, `{\n${body}\n}\n`);
console.log(`${names.length} commands -> ${out}`);
