// The citizen sign-in page over an emulated slow connection: Chromium's DevTools network
// profiles (Chrome DevTools' "Slow 3G" and "Fast 3G"), a cold cache, against a running spode:
//   node scripts/slow3g.mjs http://127.0.0.1:8090
// Prints, per profile, the time from navigation until the member-ID field is on screen and the
// bytes transferred.
import { chromium } from 'playwright-core';

const url = process.argv[2] ?? 'http://127.0.0.1:8080';
const profiles = {
  'Slow 3G (400 kbit/s, 2 s RTT)': { latency: 2000, downloadThroughput: 400 * 1024 / 8, uploadThroughput: 400 * 1024 / 8 },
  'Fast 3G (1.6 Mbit/s, 562 ms RTT)': { latency: 562.5, downloadThroughput: 1.6 * 1024 * 1024 / 8, uploadThroughput: 750 * 1024 / 8 },
};
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'] });
for (const [name, conditions] of Object.entries(profiles)) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...conditions });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  const t0 = Date.now();
  await page.goto(`${url}/citizen`, { waitUntil: 'commit', timeout: 120000 });
  await page.getByLabel(/Member ID|सदस्य आईडी/).waitFor({ timeout: 120000 });
  console.log(`${name}: sign-in form usable after ${((Date.now() - t0) / 1000).toFixed(2)} s, ` +
    `${(bytes / 1024).toFixed(1)} KB transferred`);
  await context.close();
}
await browser.close();
