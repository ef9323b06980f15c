// The citizen pages' download: the JavaScript and CSS that dist/index.html loads (the entry
// chunk and everything it preloads; the staff consoles are a separate chunk loaded on demand),
// raw and gzipped (level 9, as scripts/compress.mjs serves them). Exits 1 above the budget.
import { readFileSync } from 'node:fs';
import { gzipSync, constants } from 'node:zlib';

const budget = 100 * 1024;  // bytes of gzipped JavaScript
const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(`${dist}index.html`, 'utf8');
const refs = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
let js = 0, jsGz = 0, css = 0, cssGz = 0;
for (const ref of new Set(refs)) {
  const bytes = readFileSync(dist + ref);
  const gz = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length;
  if (ref.endsWith('.js')) { js += bytes.length; jsGz += gz; } else { css += bytes.length; cssGz += gz; }
  console.log(`${ref}\t${bytes.length} B\t${gz} B gzipped`);
}
const kb = (n) => (n / 1024).toFixed(1);
console.log(`citizen JavaScript: ${kb(js)} KB, ${kb(jsGz)} KB gzipped (budget ${kb(budget)} KB); CSS: ${kb(css)} KB, ${kb(cssGz)} KB gzipped`);
if (jsGz > budget) {
  console.error('over budget');
  process.exit(1);
}
