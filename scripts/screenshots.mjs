#!/usr/bin/env node
/**
 * Screenshots of every console page, in zh-CN and en-US, on a desktop and a phone-sized screen.
 *
 *   POSCARE_URL=http://localhost:8080 POSCARE_EMAIL=admin@poscare.local POSCARE_PASSWORD=… node scripts/screenshots.mjs
 *
 * Writes PNGs to test-results/screenshots/ and lists any browser console errors it saw (exit code 1 if any).
 * The signed-in user's language preference is put back the way it was at the end.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BASE = (process.env.POSCARE_URL ?? 'http://localhost:8080').replace(/\/$/, '');
const EMAIL = process.env.POSCARE_EMAIL;
const PASSWORD = process.env.POSCARE_PASSWORD;
if (!EMAIL || !PASSWORD) {
  console.error('Set POSCARE_EMAIL and POSCARE_PASSWORD (and POSCARE_URL, default http://localhost:8080).');
  process.exit(2);
}
const OUT = path.resolve('test-results/screenshots');
mkdirSync(OUT, { recursive: true });

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
const LANGS = ['zh-CN', 'en-US'];
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

const problems = [];

/** Wait until the page has settled: no pending requests, no spinners or skeletons, animations done. */
async function settle(page) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page
    .waitForFunction(() => !document.querySelector('.ant-spin-spinning, .ant-skeleton, [data-testid="loading"]'), null, { timeout: 15_000 })
    .catch(() => {});
  await page.waitForTimeout(900);
}

async function shot(page, name, fullPage = true) {
  await settle(page);
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  console.log(`  saved ${path.relative(process.cwd(), file)}`);
}

async function visit(page, url, name) {
  await page.goto(`${BASE}${url}`);
  await shot(page, name);
}

function watch(page, label) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`[${label}] console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`[${label}] page error: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 500) problems.push(`[${label}] HTTP ${res.status()} ${res.url()}`);
  });
}

async function signIn(page) {
  await page.goto(`${BASE}/login`);
  await page.getByTestId('login-email').fill(EMAIL);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 });
}

async function setLanguage(page, lng) {
  await page.getByTestId(`lang-option-${lng}`).first().click();
  await page.waitForFunction((l) => document.documentElement.lang === l, lng);
  await page.waitForLoadState('networkidle').catch(() => {});
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
let originalLanguage;
try {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN' });
  const page = await context.newPage();
  watch(page, 'desktop');

  // The sign-in page in both languages, before signing in.
  await page.goto(`${BASE}/login`);
  for (const lng of LANGS) {
    await setLanguage(page, lng);
    await shot(page, `${lng}-01-login`, false);
  }

  await signIn(page);
  const me = await (await page.request.get(`${BASE}/api/v1/me`)).json();
  originalLanguage = me.language;

  // Pick a terminal (with history) and a merchant to show detail pages.
  const terminals = await (await page.request.get(`${BASE}/api/v1/terminals?limit=5&lifecycleState=active`)).json();
  const anyTerminals = terminals.items?.length ? terminals : await (await page.request.get(`${BASE}/api/v1/terminals?limit=5`)).json();
  let terminal = anyTerminals.items?.[0];
  // For the live card and charts, prefer a terminal that reports (critical first): see scripts/feed-demo.mjs.
  let silent;
  if (me.permissions?.includes('fleet:read')) {
    const candidates = (await (await page.request.get(`${BASE}/api/v1/terminals?limit=20&lifecycleState=active`)).json()).items ?? [];
    const rank = { critical: 0, degraded: 1, ok: 2, offline: 3 };
    let best;
    for (const c of candidates) {
      const live = await (await page.request.get(`${BASE}/api/v1/terminals/${c.id}/live`)).json();
      if (live.status === 'never_seen') silent ??= c;
      else if (!best || rank[live.status] < rank[best.status]) best = { terminal: c, status: live.status };
    }
    if (best) terminal = best.terminal;
  }
  const canManageDevices = me.permissions?.includes('devices:manage');
  const merchants = await (await page.request.get(`${BASE}/api/v1/merchants?limit=1`)).json();
  const merchant = merchants.items?.[0];

  // A small file with a couple of problems, for the import report (dry run only: nothing is written).
  const csvPath = path.join(tmpdir(), `poscare-screenshot-${process.pid}.csv`);
  writeFileSync(
    csvPath,
    [
      'serial_number,tid,vendor,model,connectivity,lifecycle_state',
      'SHOT-0001,,PAX,A920,wifi,in_stock',
      'SHOT-0002,,,A920,wifi,in_stock',
      'SHOT-0003,,PAX,A920,carrier_pigeon,in_stock',
      'SHOT-0004,,Newland,N910,cellular_4g,in_stock',
    ].join('\n') + '\n',
  );

  for (const lng of LANGS) {
    console.log(`${lng}:`);
    await setLanguage(page, lng);
    await visit(page, '/', `${lng}-02-overview`);
    await visit(page, '/fleet', `${lng}-02b-fleet`);
    await visit(page, '/fleet?status=critical', `${lng}-02c-fleet-critical`);
    await visit(page, '/organizations', `${lng}-03-organizations`);
    await visit(page, '/merchants', `${lng}-04-merchants`);
    await page.getByTestId('merchant-create').click();
    await shot(page, `${lng}-04b-merchant-drawer`, false);
    await page.keyboard.press('Escape');
    await visit(page, merchant ? `/sites?merchantId=${merchant.id}` : '/sites', `${lng}-05-sites`);
    await visit(page, '/terminals', `${lng}-06-terminals`);
    await page.getByTestId('terminal-create').click();
    await shot(page, `${lng}-06b-terminal-create`, false);
    await page.keyboard.press('Escape');
    if (terminal) {
      await visit(page, `/terminals/${terminal.id}`, `${lng}-07-terminal-detail`);
      await page.getByTestId('lifecycle-change').click();
      await shot(page, `${lng}-07b-lifecycle-modal`, false);
      await page.keyboard.press('Escape');
      await visit(page, `/terminals/${terminal.id}?range=7d`, `${lng}-07c-terminal-detail-7d`);
      if (await page.getByTestId('tab-transactions').count()) {
        await page.getByTestId('tab-transactions').click();
        await page.getByTestId('activity-card').scrollIntoViewIfNeeded();
        await settle(page);
        await page.getByTestId('activity-card').screenshot({ path: path.join(OUT, `${lng}-07d-terminal-transactions.png`) });
        console.log(`  saved test-results/screenshots/${lng}-07d-terminal-transactions.png`);
      }
    }
    if (silent) await visit(page, `/terminals/${silent.id}`, `${lng}-07e-terminal-never-seen`);
    await visit(page, '/terminals/import', `${lng}-08-import`);
    await page.getByTestId('import-file').setInputFiles(csvPath);
    await page.getByTestId('import-dry-run').click();
    await page.getByTestId('import-report').waitFor();
    await shot(page, `${lng}-08b-import-report`);
    await visit(page, '/users', `${lng}-09-users`);
    if (canManageDevices) {
      await visit(page, '/devices/enrollment', `${lng}-09b-enrollment`);
      // Create a code to show the "shown once" dialog, then revoke it again.
      await page.getByTestId('enrollment-create').click();
      await page.getByTestId('enrollment-label').fill(`screenshot ${lng}`);
      await shot(page, `${lng}-09c-enrollment-create`, false);
      await page.getByTestId('enrollment-submit').click();
      await page.getByTestId('enrollment-code').waitFor();
      await shot(page, `${lng}-09d-enrollment-code-once`, false);
      await page.getByTestId('enrollment-done').click();
      const codes = await (await page.request.get(`${BASE}/api/v1/enrollment-codes`)).json();
      for (const c of codes) if (c.label === `screenshot ${lng}` && !c.revokedAt) await page.request.delete(`${BASE}/api/v1/enrollment-codes/${c.id}`);
      await visit(page, '/devices/rejections', `${lng}-09e-rejections`);
      const expand = page.locator('[data-testid="rejections-table"] .ant-table-row-expand-icon').nth(1);
      if (await expand.count()) {
        await expand.click();
        await shot(page, `${lng}-09f-rejections-expanded`);
      }
    }
    await visit(page, '/audit', `${lng}-10-audit`);
    const firstRow = page.locator('[data-testid="audit-table"] .ant-table-row-expand-icon:not(.ant-table-row-expand-icon-spaced)').first();
    if (await firstRow.count()) {
      await firstRow.click();
      await shot(page, `${lng}-10b-audit-expanded`);
    }
    await visit(page, '/settings/tokens', `${lng}-11-tokens`);
    await page.getByTestId('user-menu').click();
    await shot(page, `${lng}-12-user-menu`, false);
    await page.keyboard.press('Escape');
    await visit(page, '/no-such-page', `${lng}-13-not-found`);
  }

  // Phone-sized screens: the pages people use in the field.
  const phone = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, storageState: await context.storageState() });
  const mobile = await phone.newPage();
  watch(mobile, 'phone');
  for (const lng of LANGS) {
    console.log(`${lng} (phone):`);
    await mobile.goto(`${BASE}/`);
    await setLanguage(mobile, lng);
    await shot(mobile, `${lng}-phone-01-overview`);
    await visit(mobile, '/fleet', `${lng}-phone-01b-fleet`);
    await visit(mobile, '/terminals', `${lng}-phone-02-terminals`);
    if (terminal) await visit(mobile, `/terminals/${terminal.id}`, `${lng}-phone-03-terminal-detail`);
    if (canManageDevices) await visit(mobile, '/devices/rejections', `${lng}-phone-03b-rejections`);
    await mobile.getByTestId('nav-toggle').click();
    await shot(mobile, `${lng}-phone-04-menu`, false);
    await mobile.keyboard.press('Escape');
    await visit(mobile, '/terminals/import', `${lng}-phone-05-import`);
  }
  await phone.close();

  // Put the account's language back as it was.
  if (originalLanguage) {
    await page.request.patch(`${BASE}/api/v1/me/preferences`, { data: { language: originalLanguage } });
  }
  await context.close();
} finally {
  await browser.close();
}

if (problems.length) {
  console.error(`\n${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`\nScreenshots in ${path.relative(process.cwd(), OUT)}/ — no browser console errors.`);
