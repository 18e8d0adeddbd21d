// html_check.js: opens certsweep's HTML report in headless Chromium
// (Debian's /usr/bin/chromium through playwright-core; no browser is ever
// downloaded) and checks what a reader gets:
//   - no console error, no page error, no dialog (alert), and no request
//     for anything but file: and data: (the report is self-contained);
//   - exactly one script element, and the attacker's subject NEEDLE shown
//     as text in the certificate table;
//   - the endpoints table has NROWS rows; clicking "Expires" sorts them by
//     the dates shown, ascending then descending;
//   - typing into the filter box hides the rows that do not match;
//   - following a certificate link opens that certificate's details.
// Writes a full-page screenshot to SHOT.
//
//   node html_check.js REPORT.html SHOT.png NROWS NEEDLE
// Exit 0 when every check passes, 1 otherwise (reasons on stderr).
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

const [file, shot, nrows, needle] = process.argv.slice(2);
const problems = [];
const check = (cond, what) => { if (!cond) problems.push(what); };

// The dates of the Expires column, as shown ("" for none).
async function expiries(page) {
  return page.$$eval('#endpoints tbody tr', (rows) => {
    const heads = [...document.querySelectorAll('#endpoints thead th')];
    const i = heads.findIndex((th) => th.textContent.trim().startsWith('Expires'));
    return rows.map((r) => (r.cells[i].querySelector('span') || { textContent: '' })
      .textContent.trim());
  });
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', async (d) => { problems.push(`dialog opened: ${d.message()}`); await d.dismiss(); });
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith('file:') && !u.startsWith('data:')) problems.push(`network request: ${u}`);
    });
    await page.goto('file://' + path.resolve(file), { waitUntil: 'load' });

    check(await page.locator('script').count() === 1, 'not exactly one <script> element');
    const shown = await page.$$eval('#certificates summary', (s) => s.map((e) => e.textContent));
    check(shown.some((t) => t.includes(needle)), `subject ${needle} not shown as text: ${JSON.stringify(shown)}`);
    const rows = await page.locator('#endpoints tbody tr').count();
    check(rows === Number(nrows), `endpoints table has ${rows} rows, expected ${nrows}`);

    const before = await expiries(page);
    const button = page.locator('#endpoints thead th button', { hasText: 'Expires' });
    await button.click();
    const asc = await expiries(page);
    const sorted = [...before].sort();
    check(JSON.stringify(asc) === JSON.stringify(sorted), `ascending sort gave ${asc}, want ${sorted}`);
    check(JSON.stringify(asc) !== JSON.stringify(before), `sorting did not reorder ${before}`);
    await button.click();
    const desc = await expiries(page);
    check(JSON.stringify(desc) === JSON.stringify([...sorted].reverse()), `descending sort gave ${desc}`);

    // Filter on the address of the second row: exactly the rows naming it remain.
    const addr = (await page.locator('#endpoints tbody tr td:first-child').allTextContents())[1];
    await page.fill('input[data-filter="endpoints"]', addr);
    const visible = await page.locator('#endpoints tbody tr:visible').allTextContents();
    check(visible.length >= 1 && visible.length < rows, `filter "${addr}" left ${visible.length} of ${rows} rows`);
    check(visible.every((t) => t.includes(addr)), `filter "${addr}" left a row without it`);
    const counter = await page.locator('#endpoints-count').textContent();
    check(counter.startsWith(`${visible.length} of ${rows}`), `filter counter says "${counter}"`);
    await page.fill('input[data-filter="endpoints"]', '');
    check(await page.locator('#endpoints tbody tr:visible').count() === rows, 'clearing the filter did not show every row');

    // A chain link opens that certificate's details.
    const first = page.locator('#endpoints tbody tr').first();
    await first.locator('summary').first().click();
    const link = first.locator('ol.chain a').first();
    const href = await link.getAttribute('href');
    await link.click();
    const open = await page.$eval(href, (tr) => tr.querySelector('details').open);
    check(open, `following ${href} did not open the certificate details`);

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: shot, fullPage: true });
  } finally {
    await browser.close();
  }
}

main().then(() => {
  for (const p of problems) console.error(`html_check: ${p}`);
  process.exit(problems.length ? 1 : 0);
}, (e) => {
  console.error(`html_check: ${e.stack || e}`);
  process.exit(1);
});
