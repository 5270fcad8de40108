// The shape of the house: every behaviour in a file small enough to read, the server itself
// only the wiring, and imports between src/ folders going one way (no cycle), so that a folder
// can be understood with only the folders below it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const MAX_LINES = 600;

function walk(dir: string, exts: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(p);
  }
  return out;
}

const lines = (p: string) => readFileSync(p, 'utf8').split('\n').length - 1;

/** The folder directly under src/ that a file belongs to ('.' for src/ itself). */
function folderOf(p: string): string {
  const r = relative(join(root, 'src'), p);
  return r.includes('/') ? r.split('/')[0]! : '.';
}

/** src/ folder -> folders it imports from (type-only imports included). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const f of walk(join(root, 'src'), ['.ts'])) {
    const from = folderOf(f);
    if (!graph.has(from)) graph.set(from, new Set());
    for (const m of readFileSync(f, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const target = resolve(dirname(f), m[1]!);
      if (!target.startsWith(join(root, 'src'))) continue;
      const to = folderOf(target);
      if (to !== from) graph.get(from)!.add(to);
    }
  }
  return graph;
}

/** A cycle through the graph as a path of folders, or undefined. */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return [...path.slice(path.indexOf(n)), n];
    state.set(n, 'open');
    path.push(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    path.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

describe('structure', () => {
  it(`has no file under src/ or native/ over ${MAX_LINES} lines`, () => {
    const files = [...walk(join(root, 'src'), ['.ts']), ...walk(join(root, 'native'), ['.cc', '.h'])];
    expect(files.length).toBeGreaterThan(50);
    const over = files.filter((f) => lines(f) > MAX_LINES).map((f) => `${relative(root, f)}: ${lines(f)}`);
    expect(over).toEqual([]);
  });

  it('keeps server.ts to the wiring (under 300 lines)', () => {
    expect(lines(join(root, 'src/server/server.ts'))).toBeLessThan(300);
  });

  it('has no import cycle between src/ folders', () => {
    const graph = folderGraph();
    expect(graph.get('commands')?.has('table')).toBe(true);
    expect(findCycle(graph)).toBeUndefined();
  });

  it('finds a cycle when there is one (the check itself)', () => {
    const g = new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]]);
    expect(findCycle(g)).toEqual(['a', 'b', 'c', 'a']);
  });
});
