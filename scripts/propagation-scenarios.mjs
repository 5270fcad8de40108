// Splits test/scenarios/propagation.txt into its scenarios: `=== name` starts one.
export function parseScenarios(text) {
  const out = [];
  let cur;
  for (const line of text.split('\n')) {
    const m = /^=== (.+)$/.exec(line);
    if (m) {
      cur = { name: m[1].trim(), body: '' };
      out.push(cur);
    } else if (cur) cur.body += line + '\n';
  }
  return out;
}
