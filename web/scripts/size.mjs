// The first load's size: index.html, the entry script and stylesheet it
// names, and every chunk those import statically (not the lazy ones),
// each gzipped (level 9) as a server would send it. Usage: node
// scripts/size.mjs [dist]
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
const read = (path) => readFileSync(join(dist, path));
const gz = (buf) => gzipSync(buf, { level: 9 }).length;

const html = read('index.html').toString('utf8');
const entries = [...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
const files = new Set();
const visit = (path) => {
  if (files.has(path)) return;
  files.add(path);
  if (!path.endsWith('.js')) return;
  const code = read(path).toString('utf8');
  // Static imports only: `import … from "./x.js"` and `import "./x.js"`.
  for (const m of code.matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[\w$*{},\s]+?\s*from\s*)?["'](\.{1,2}\/[^"']+)["']/g)) {
    visit(posix.normalize(posix.join(posix.dirname(path), m[1])));
  }
};
entries.forEach(visit);

let total = gz(Buffer.from(html));
const rows = [['index.html', Buffer.byteLength(html), total]];
for (const f of [...files].sort()) {
  const buf = read(f);
  const z = gz(buf);
  total += z;
  rows.push([f, buf.length, z]);
}
for (const [f, raw, z] of rows) console.log(`${f.padEnd(44)} ${String(raw).padStart(8)} B  ${String(z).padStart(7)} B gzip`);
console.log(`first load: ${total} B gzipped (${(total / 1024).toFixed(1)} KiB)`);
