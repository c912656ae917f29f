// ward dashboard end-to-end check, in Debian's headless Chromium driven by playwright-core.
// Started by crates/ward-cli/tests/it/dashboard.rs against a real `ward serve` with seeded
// data. Environment: WARD_URL, WARD_USER, WARD_PASSWORD (an admin user), WARD_LIMITED_KEY (a
// read key limited to WARD_VISIBLE_PRODUCT), WARD_HIDDEN_PRODUCT, WARD_SCREENSHOTS (a folder),
// WARD_SHOP_SCAN (a succeeded scan job of the hidden product), WARD_BANK_SCAN (a failed scan
// job of the visible product), WARD_CHROMIUM (default /usr/bin/chromium). Exits 0 when every check passes; on failure it
// prints the reason, saves failure.png and exits 1.
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');
const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const base = env('WARD_URL');
const shots = env('WARD_SCREENSHOTS');
mkdirSync(shots, { recursive: true });

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const profile = mkdtempSync(join(tmpdir(), 'ward-e2e-profile-'));
// A fresh profile each run; playwright takes it as the persistent context's user-data-dir.
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.WARD_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] ?? await context.newPage();
let consoleErrors = [];
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
page.on('pageerror', (e) => consoleErrors.push(String(e)));

/** Loads `path`, expects `status`, no console error, and no serious accessibility issue. */
async function visit(path, name, status = 200) {
  consoleErrors = [];
  const response = await page.goto(base + path);
  check(response.status() === status, `${path}: status ${response.status()}, expected ${status}`);
  if (status !== 200) return;
  check(consoleErrors.length === 0, `${path}: console errors: ${consoleErrors.join(' | ')}`);
  await audit(path);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function audit(path) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, `${path}: accessibility: ${bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('; ')}`);
}

async function signIn(fields) {
  await visit('/login', 'login');
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
  await Promise.all([page.waitForURL(base + '/'), page.getByRole('button', { name: 'Sign in' }).click()]);
}

async function signOut() {
  await Promise.all([page.waitForURL(base + '/login'), page.getByRole('button', { name: 'Sign out' }).click()]);
}

/** Whether a scans table's text lists job `id`. */
const lists = (text, id) => new RegExp(`#${id}\\b`).test(text);
const rowIds = () => page.$$eval('#findings tbody input[type=checkbox]', (boxes) => boxes.map((b) => b.value));

try {
  const hidden = env('WARD_HIDDEN_PRODUCT');
  await signIn({ 'User name': env('WARD_USER'), Password: env('WARD_PASSWORD') });
  await visit('/', 'overview');
  await visit('/?days=365', 'overview-365');
  await visit('/products', 'products');
  const hiddenHref = await page.getByRole('link', { name: hidden, exact: true }).getAttribute('href');
  await visit(hiddenHref, 'product');
  await visit('/admin/keys', 'admin-keys');
  await visit('/admin/users', 'admin-users');
  await visit('/admin/retention', 'admin-retention');
  check((await page.locator('#retention').innerText()).includes('30 days'), 'retention policy shown');
  check((await page.locator('#last-sweep').innerText()).includes('objects deleted'), 'last sweep shown');

  // Scans: the seeded jobs, a failure report, and a scan queued from the form.
  const shopScan = env('WARD_SHOP_SCAN');
  const bankScan = env('WARD_BANK_SCAN');
  await visit('/scans', 'scans');
  const scanRows = await page.locator('#scans tbody').innerText();
  check(lists(scanRows, shopScan) && lists(scanRows, bankScan), `scans listed: ${scanRows}`);
  check(await page.getByRole('link', { name: `failure report of scan ${bankScan}` }).count() === 1, 'failure report link');
  await visit(`/scans/${bankScan}`, 'scan-failed');
  check((await page.locator('#failure').innerText()).includes('not https://'), 'failure report shown');
  await visit(`/scans/${shopScan}`, 'scan-succeeded');
  check((await page.locator('#job').innerText()).includes('succeeded'), 'succeeded scan');
  await visit('/scans?state=failed', 'scans-failed');
  await visit('/scans', 'scans-form');
  await page.getByLabel('Git URL (https, ssh or git)').fill('https://127.0.0.1:9/nothing.git');
  await page.getByLabel('Branch, tag or commit (empty: the default branch)').fill('main');
  await page.getByLabel('Product', { exact: true }).fill(hidden);
  await page.getByLabel('Engagement', { exact: true }).fill('e2e');
  await Promise.all([page.waitForURL(/\/scans\/\d+$/), page.getByRole('button', { name: 'Queue' }).click()]);
  const queued = page.url();
  check((await page.locator('#job').innerText()).includes('e2e'), 'queued scan shown');
  await visit(new URL(queued).pathname, 'scan-queued');

  // Notifications: a channel whose URL and secret are never shown back, a rule, deletion.
  await visit('/admin/notifications', 'admin-notifications-empty');
  await page.getByLabel('Name', { exact: true }).fill('siem');
  await page.getByLabel('Type', { exact: true }).selectOption('webhook');
  await page.getByLabel('Webhook URL (kept sealed, never shown again)').fill('http://127.0.0.1:9/hook/private-path');
  await page.getByLabel('Signing secret (webhook type only)').fill('e2e-signing-secret');
  await Promise.all([page.waitForURL(base + '/admin/notifications'), page.getByRole('button', { name: 'Add channel' }).click()]);
  await page.getByLabel('scan.failed').check();
  await page.getByLabel('Product globs (comma-separated; empty: every product)').fill('shop*');
  await page.getByLabel('Minimum severity').selectOption('high');
  await Promise.all([page.waitForURL(base + '/admin/notifications'), page.getByRole('button', { name: 'Add rule' }).click()]);
  await visit('/admin/notifications', 'admin-notifications');
  const notifications = await page.content();
  check(!notifications.includes('private-path') && !notifications.includes('e2e-signing-secret'), 'channel secrets shown');
  check((await page.locator('#rules').innerText()).includes('scan.failed'), 'rule listed');
  const deleteRule = page.getByRole('button', { name: /^Delete rule \d+ of channel siem$/ });
  await Promise.all([page.waitForURL(base + '/admin/notifications'), deleteRule.click()]);
  check(await page.locator('#rules').count() === 0, 'rule deleted');
  await visit(`/findings?product=${encodeURIComponent(hidden)}`, 'findings-hidden-product');
  const hiddenFinding = await page.locator('#findings tbody a').first().getAttribute('href');
  await visit('/findings', 'findings');
  const all = await rowIds();

  // A filter narrows the list, and the URL carries it.
  await page.getByLabel('Severity', { exact: true }).selectOption('high');
  await Promise.all([page.waitForURL(/severity=high/), page.getByRole('button', { name: 'Filter' }).click()]);
  const high = await rowIds();
  check(high.length > 0 && high.length < all.length, `filter: ${high.length} of ${all.length}`);
  await page.screenshot({ path: join(shots, 'findings-filtered.png'), fullPage: true });

  // The CSV export holds exactly the view's findings.
  const csvHref = await page.getByRole('link', { name: 'Export this view as CSV' }).getAttribute('href');
  const csv = await (await page.request.get(base + csvHref)).text();
  const csvIds = csv.trim().split(/\r\n/).slice(1).map((line) => line.split(',')[0]);
  check(JSON.stringify(csvIds) === JSON.stringify(high), `csv ${csvIds} vs view ${high}`);

  // Bulk triage: accept the risk of two findings until a date, with a reason.
  // The select-all box (progressive enhancement) checks every row, and unchecks them again.
  await page.getByLabel('Select every finding on this page').check();
  check(await page.locator('#findings tbody input[type=checkbox]:checked').count() === high.length, 'select all');
  await page.getByLabel('Select every finding on this page').uncheck();
  const picked = high.slice(0, 2);
  for (const id of picked) await page.getByLabel(`Select finding ${id}`).check();
  await page.getByLabel('Action').selectOption('accept_risk');
  await page.getByLabel('Accept until').fill('2099-01-31');
  await page.getByLabel('Reason').fill('e2e: vendor fix pending');
  await Promise.all([page.waitForURL(/severity=high/), page.getByRole('button', { name: 'Apply' }).click()]);
  await visit(`/findings/${picked[0]}`, 'finding');
  const history = await page.locator('#history').innerText();
  check(history.includes('e2e: vendor fix pending') && history.includes('accepted') && history.includes('2099-01-31'),
    `history after triage: ${history}`);
  check((await page.locator('#status').innerText()).startsWith('accepted'), 'status after triage');
  await signOut();

  // A key limited to another product cannot see this one.
  await signIn({ 'API key': env('WARD_LIMITED_KEY') });
  await visit('/products', 'limited-products');
  check(await page.getByRole('link', { name: hidden, exact: true }).count() === 0, 'hidden product listed');
  check(await page.getByRole('link', { name: env('WARD_VISIBLE_PRODUCT'), exact: true }).count() === 1, 'own product missing');
  await visit('/findings', 'limited-findings');
  await visit(hiddenHref, 'limited-product', 404);
  await visit(hiddenFinding, 'limited-finding', 404);
  await visit(`/findings?product=${encodeURIComponent(hidden)}`, 'limited-filter', 404);
  await visit('/admin/keys', 'limited-admin', 403);
  await visit('/admin/notifications', 'limited-notifications', 403);
  await visit('/admin/retention', 'limited-retention', 403);
  // Scans: only the own product's jobs.
  await visit('/scans', 'limited-scans');
  const limitedRows = await page.locator('#scans tbody').innerText();
  check(lists(limitedRows, bankScan) && !lists(limitedRows, shopScan), `limited scans: ${limitedRows}`);
  await visit(`/scans/${shopScan}`, 'limited-scan', 404);
  await visit(`/scans/${bankScan}`, 'limited-scan-own');
  console.log('dashboard e2e: all checks passed');
} catch (error) {
  console.error(`dashboard e2e failed at ${page.url()}: ${error.message}`);
  await page.screenshot({ path: join(shots, 'failure.png'), fullPage: true }).catch(() => {});
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
