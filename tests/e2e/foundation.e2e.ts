/**
 * End-to-end check of the foundation, through the real console in a real browser:
 * sign in (Chinese by default) → switch to English (remembered across a reload) → import a CSV with one bad row
 * (dry run shows exactly that row and column; "valid rows only" imports the other 3) → open an imported terminal
 * → record an installation acceptance and see it listed with the signed-in user's name.
 *
 *   npx tsx tests/e2e/foundation.e2e.ts
 *
 * Starts its own server (fresh data directory, free port, demo data) and Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
 * Fails on any assertion and on any browser console error. Screenshots of each step: test-results/e2e/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, assert, assertEqual, CHROMIUM, CHROMIUM_ARGS, freePort, log, ROOT, screenshotter, stopServer, text, waitForHealth, runE2e } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e');
const shot = screenshotter(SHOTS);
async function run(): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'poscare-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let serverOutput = '';
  const server = spawn(process.execPath, ['apps/server/bin/poscare.mjs', 'start', '--demo'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      MQTT_PORT: '0',
      POSCARE_ADMIN_EMAIL: ADMIN_EMAIL,
      POSCARE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      // Signs in as the platform admin with the password only; security.e2e.ts covers the second factor.
      MFA_PLATFORM_ADMINS: 'optional',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (d: Buffer) => (serverOutput += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (serverOutput += d.toString()));

  let browser: Browser | undefined;
  const consoleErrors: string[] = [];
  const csvPath = path.join(dataDir, 'e2e-terminals.csv');
  try {
    log(`starting server on port ${port} (data in ${dataDir})`);
    await waitForHealth(base, server, () => serverOutput.slice(-4000));
    log('server is healthy');

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    // The browser itself prefers English: the console must still start in Chinese, its default.
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US' });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
    const noConsoleErrors = (where: string) =>
      assert(consoleErrors.length === 0, `browser console error(s) ${where}:\n  ${consoleErrors.join('\n  ')}`);

    // 1. Sign in; the UI is in Chinese by default.
    await page.goto(`${base}/`);
    await page.waitForURL(/\/login/);
    await page.getByTestId('login-submit').waitFor();
    assertEqual(await page.evaluate(() => document.documentElement.lang), 'zh-CN', 'default <html lang>');
    assert((await text(page, 'login-title')).includes('登录'), `login page should be Chinese, title is "${await text(page, 'login-title')}"`);
    await shot(page, 'login-zh');
    await page.getByTestId('login-email').fill(ADMIN_EMAIL);
    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('page-overview').waitFor();
    assertEqual(await text(page, 'page-title'), '概览', 'overview title in Chinese');
    assertEqual(await text(page, 'nav-terminals'), '终端', 'menu item in Chinese');
    const me = (await (await page.request.get(`${base}/api/v1/me`)).json()) as { name: string; language: string };
    log(`signed in as ${me.name}; UI is Chinese`);
    await page.getByTestId('stat-total').waitFor();
    await shot(page, 'overview-zh');
    noConsoleErrors('after signing in');

    // 2. Switch to English; it sticks after a reload and is saved on the account.
    await page.getByTestId('lang-option-en-US').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en-US');
    assertEqual(await text(page, 'page-title'), 'Overview', 'overview title in English');
    assertEqual(await text(page, 'nav-terminals'), 'Terminals', 'menu item in English');
    await shot(page, 'overview-en');
    await page.waitForLoadState('networkidle');
    await page.reload();
    await page.getByTestId('page-overview').waitFor();
    assertEqual(await text(page, 'page-title'), 'Overview', 'overview title in English after reload');
    const saved = (await (await page.request.get(`${base}/api/v1/me`)).json()) as { language: string };
    assertEqual(saved.language, 'en-US', 'language preference saved on the account');
    log('switched to English; still English after reload');

    // 3. Import: dry run of 3 valid rows and 1 row without a vendor (file row 4, the header is row 1).
    const tag = Date.now().toString(36).toUpperCase();
    const serials = [`E2E-${tag}-1`, `E2E-${tag}-2`, `E2E-${tag}-3`, `E2E-${tag}-4`];
    writeFileSync(
      csvPath,
      [
        'serial_number,tid,vendor,model,connectivity',
        `${serials[0]},,PAX,A920,wifi`,
        `${serials[1]},,Newland,N910,cellular_4g`,
        `${serials[3]},,,A920,wifi`,
        `${serials[2]},,PAX,A920,ethernet`,
      ].join('\n') + '\n',
    );
    await page.getByTestId('nav-import').click();
    await page.getByTestId('page-import').waitFor();
    await page.getByTestId('import-file').setInputFiles(csvPath);
    await page.getByTestId('import-file-name').waitFor();
    await shot(page, 'import-file-chosen');
    await page.getByTestId('import-dry-run').click();
    await page.getByTestId('import-report').waitFor();
    await shot(page, 'import-dry-run-report');
    const summary = page.getByTestId('import-summary');
    assertEqual(await summary.getAttribute('data-total'), '4', 'rows in the file');
    assertEqual(await summary.getAttribute('data-valid'), '3', 'valid rows');
    assertEqual(await summary.getAttribute('data-invalid'), '1', 'invalid rows');
    const problemRows = await page.getByTestId('problem-row').allTextContents();
    const problemColumns = await page.getByTestId('problem-column').allTextContents();
    assertEqual(JSON.stringify(problemRows.map((s) => s.trim())), JSON.stringify(['4']), 'problem row numbers');
    assertEqual(JSON.stringify(problemColumns.map((s) => s.trim())), JSON.stringify(['vendor']), 'problem columns');
    assert(await page.getByTestId('import-all').isDisabled(), '"Import all" must be disabled when a row is invalid');
    log('dry run reports exactly row 4, column vendor');

    // 4. Import the valid rows only.
    await page.getByTestId('import-valid-only').click();
    await page.getByTestId('import-result').waitFor();
    assertEqual(await page.getByTestId('import-result').getAttribute('data-imported'), '3', 'terminals imported');
    await shot(page, 'import-result');
    log('3 terminals imported');
    noConsoleErrors('after importing');

    // 5. Open one of the imported terminals from the list.
    await page.getByTestId('import-view-terminals').click();
    await page.getByTestId('page-terminals').waitFor();
    await page.getByTestId('terminal-search').fill(serials[1] ?? '');
    // The list is filtered once the user pauses typing: wait until it shows just the one terminal.
    await page
      .waitForFunction(
        (serial) => {
          const links = [...document.querySelectorAll('[data-testid="terminal-link"]')];
          return links.length === 1 && links[0]?.textContent?.trim() === serial;
        },
        serials[1],
        { timeout: 15_000 },
      )
      .catch(() => undefined);
    const links = await page.getByTestId('terminal-link').allTextContents();
    assertEqual(JSON.stringify(links.map((s) => s.trim())), JSON.stringify([serials[1]]), 'search results for the serial number');
    const link = page.getByTestId('terminal-link').first();
    await shot(page, 'terminal-search');
    await link.click();
    await page.getByTestId('page-terminal-detail').waitFor();
    assertEqual(await text(page, 'detail-serial'), serials[1] ?? '', 'serial number on the detail page');
    assertEqual(await page.getByTestId('state-tag').first().getAttribute('data-state'), 'in_stock', 'state of an imported terminal');
    await shot(page, 'terminal-detail');

    // 6. Record an installation acceptance: all pass, contactless not applicable.
    await page.getByTestId('acceptance-all-pass').click();
    await page.getByTestId('acceptance-tap_read-not_applicable').click();
    await page.getByTestId('acceptance-notes').fill('E2E: installed at the counter, contactless reader not fitted.');
    await shot(page, 'acceptance-filled');
    await page.getByTestId('acceptance-submit').click();
    const record = page.getByTestId('acceptance-record').first();
    await record.waitFor();
    assertEqual(await page.getByTestId('acceptance-record').count(), 1, 'acceptance records');
    assertEqual(((await record.getByTestId('acceptance-actor').textContent()) ?? '').trim(), me.name, 'acceptance recorded by');
    assertEqual(await record.getByTestId('acceptance-result').getAttribute('data-passed'), 'true', 'acceptance passed');
    await shot(page, 'acceptance-recorded');
    log(`acceptance recorded by ${me.name}`);

    await page.waitForLoadState('networkidle');
    noConsoleErrors('at the end');
  } finally {
    if (browser) await browser.close().catch(() => undefined);
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await runE2e(run);
