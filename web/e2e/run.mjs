// Browser journeys over a fresh `spode serve` (see server.mjs), in Debian's chromium
// (/usr/bin/chromium, headless; playwright-core downloads nothing). Every page visited is
// checked with axe-core (zero serious or critical violations). On a failure the page's
// screenshot is saved in web/e2e/artifacts/ and the run exits 1.
//
//   node e2e/run.mjs            (after npm run build; SPODE_BIN=path/to/spode to choose a binary)
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startServer } from './server.mjs';
import { journeys } from './journeys.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const artifacts = new URL('./artifacts/', import.meta.url).pathname;
const only = process.argv[2];

// Runs axe-core in the page; throws listing any serious or critical violation.
export async function checkA11y(page, label) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0) {
    throw new Error(`axe-core on ${label} (${page.url()}):\n${bad.map((v) =>
      `  ${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`).join('\n')}`);
  }
  visited.add(new URL(page.url()).pathname);
}
const visited = new Set();

const server = await startServer({ households: Number(process.env.E2E_HOUSEHOLDS ?? 1000) });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
});
let failed = 0, ran = 0;
const started = Date.now();
try {
  for (const [name, journey] of Object.entries(journeys)) {
    if (only && name !== only) continue;
    // bypassCSP: axe-core is injected as an inline script, which the page's CSP forbids.
    const context = await browser.newContext({ bypassCSP: true, locale: 'en-IN',
      viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20000);  // generous: CI machines with 2 cores
    const t0 = Date.now();
    ran++;
    try {
      await journey({ page, context, server, checkA11y });
      console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    } catch (err) {
      failed++;
      mkdirSync(artifacts, { recursive: true });
      const shot = `${artifacts}${name}.png`;
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      console.log(`FAIL ${name}: ${err?.stack ?? err}\n     screenshot: ${shot}`);
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
  if (failed) {
    const lines = server.log().split('\n').filter((l) => /\b(error|warning|warn)\b/.test(l));
    console.log(`server log, errors and warnings (last 20):\n${lines.slice(-20).join('\n')}`);
  }
  await server.stop();
}
console.log(`${failed ? 'FAILED' : 'passed'}: ${ran - failed} journeys ok, ` +
  `${failed} failed; axe-core clean on ${visited.size} pages: ${[...visited].join(' ')} ` +
  `(${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(failed ? 1 : 0);
