/**
 * The first hour with PosCare, in a real browser on a demo server: (a) the administrator starts on the
 * overview with what waits for them, each number a link; the fleet page's critical count leads to a
 * terminal list showing exactly those terminals with their live status; the list exports; the support
 * line for merchants is set → (b) the demo merchant on a phone (390 px) starts on their own overview,
 * sees no staff menus (organizations, API tokens), their tickets without SLA countdowns, in zh-CN and
 * en-US; a card number typed into a form is refused naming the field.
 *
 *   npx tsx tests/e2e/firsthour.e2e.ts
 *
 * Screenshots: test-results/e2e-firsthour/.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, assert, assertEqual, AssertionError, CHROMIUM, CHROMIUM_ARGS, consoleWatch, log, noHorizontalOverflow, pick, ROOT, runE2e, screenshotter, signIn, startDemoServer, switchLanguage } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-firsthour');
const shot = screenshotter(SHOTS);
const MERCHANT_EMAIL = 'merchant@demo.poscare';
const DEMO_PASSWORD = 'PosCare-Demo-2026';

async function count(page: Page, testId: string): Promise<number> {
  const el = page.getByTestId(testId);
  await el.waitFor();
  return Number(await el.getAttribute('data-count'));
}

async function run() {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const demo = await startDemoServer('firsthour');
  const { base } = demo;
  let browser: Browser | undefined;
  let current: Page | undefined;
  const { consoleErrors, watch, noConsoleErrors } = consoleWatch();

  try {
    await demo.healthy();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

    // (a) The administrator.
    const adminCtx: BrowserContext = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    adminCtx.setDefaultTimeout(20_000);
    const admin = await adminCtx.newPage();
    current = admin;
    watch(admin);
    await signIn(admin, base, ADMIN_EMAIL, ADMIN_PASSWORD, 'page-overview');
    await admin.getByTestId('my-work').waitFor();
    const critical = await count(admin, 'my-alerts-critical');
    const inbox = (await (await admin.request.get(`${base}/api/v1/alerts?severity=critical`)).json()) as { total: number };
    assertEqual(critical, inbox.total, 'the overview counts the critical alerts the inbox lists');
    await shot(admin, 'overview-admin-zh');
    await admin.getByTestId('my-alerts-critical').click();
    await admin.waitForURL(/\/alerts\?severity=critical/);
    log(`overview: ${critical} critical alerts, the tile opens the inbox filtered`);

    // The fleet page's critical count leads to exactly those terminals.
    await admin.getByTestId('nav-fleet').click();
    await admin.getByTestId('page-fleet').waitFor();
    await admin.waitForFunction(() => Number(document.querySelector('[data-testid="fleet-card-critical"]')?.getAttribute('data-count') ?? 0) > 0, null, { timeout: 60_000 });
    const fleetCritical = Number(await admin.getByTestId('fleet-card-critical').getAttribute('data-count'));
    await admin.getByTestId('fleet-card-critical').click();
    await admin.getByTestId('fleet-show-terminals').click();
    await admin.waitForURL(/\/terminals\?.*status=critical/);
    await admin.locator('[data-testid="terminal-status"][data-status="critical"]').first().waitFor();
    const rows = await admin.locator('[data-testid="terminal-status"]').count();
    assertEqual(rows, Math.min(fleetCritical, 50), 'the terminal list shows exactly the terminals the fleet page counts as critical');
    assertEqual(await admin.locator('[data-testid="terminal-status"]:not([data-status="critical"])').count(), 0, 'only critical terminals are listed');
    await shot(admin, 'terminals-critical-zh');
    const [download] = await Promise.all([admin.waitForEvent('download'), (async () => {
      await admin.getByTestId('export').click();
      await admin.getByTestId('export-csv').click();
    })()]);
    assert(/^poscare-terminals-\d{4}-\d{2}-\d{2}\.csv$/.test(download.suggestedFilename()), `export file name: ${download.suggestedFilename()}`);
    log(`fleet: ${fleetCritical} critical → the same terminals listed, exported as ${download.suggestedFilename()}`);
    // Chosen rows move together: (up to) two critical terminals go to repair.
    const boxes = admin.locator('tbody .ant-table-selection-column input[type="checkbox"]');
    const chosen = Math.min(2, rows);
    for (let i = 0; i < chosen; i++) await boxes.nth(i).check();
    await admin.getByTestId('bulk-lifecycle').click();
    await pick(admin, 'bulk-lifecycle-to', '维修中');
    await shot(admin, 'bulk-lifecycle-zh');
    await admin.locator('.ant-modal-footer .ant-btn-primary').click();
    await admin.waitForFunction((n) => document.querySelectorAll('tbody [data-testid="state-tag"][data-state="in_repair"]').length === n, chosen);
    log(`${chosen} chosen terminals moved to repair together`);

    // The support line merchants are given.
    await admin.goto(`${base}/organizations`);
    await admin.getByTestId('support-contact').waitFor();
    await admin.getByTestId('support-phone').fill('400-888-0000');
    await admin.getByTestId('support-hours-zh').fill('工作日 9:00–18:00');
    await admin.getByTestId('support-hours-en').fill('Weekdays 9:00–18:00');
    await Promise.all([
      admin.waitForResponse((r) => r.url().includes('/support') && r.request().method() === 'PUT' && r.status() === 200),
      admin.getByTestId('support-save').click(),
    ]);
    await shot(admin, 'support-line-zh', admin.getByTestId('support-contact'));
    // A card number typed into a form is refused, naming the field, and nothing is stored.
    await admin.goto(`${base}/merchants`);
    const created = await admin.request.post(`${base}/api/v1/merchants`, {
      data: { mid: 'E2E-CARD', name: 'Shop', contactPhone: '4111 1111 1111 1111' },
      headers: { 'accept-language': 'zh-CN' },
    });
    assertEqual(created.status(), 400, 'a card number in a merchant phone is refused');
    const refused = (await created.json()) as { error: { id: string; message: string; details: { path: string; message: string }[] } };
    assertEqual(refused.error.details[0]?.path, 'body.contactPhone', 'the refusal names the field');
    assert(!JSON.stringify(refused).includes('4111'), 'the refusal does not repeat the number');
    noConsoleErrors('for the administrator');

    // (b) The merchant on a phone.
    const merchantCtx: BrowserContext = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
    merchantCtx.setDefaultTimeout(20_000);
    const mp = await merchantCtx.newPage();
    current = mp;
    watch(mp);
    await signIn(mp, base, MERCHANT_EMAIL, DEMO_PASSWORD);
    await mp.goto(`${base}/`);
    await mp.getByTestId('my-tickets').waitFor();
    assertEqual(await mp.getByTestId('my-tickets-at-risk').count(), 0, 'merchants see no SLA risk counts');
    await noHorizontalOverflow(mp, 'merchant overview at 390 px');
    await shot(mp, 'overview-merchant-390-zh');
    // The notification panel fits the phone's screen.
    await mp.getByTestId('bell').click();
    const panel = await mp.getByTestId('bell-panel').boundingBox();
    assert(panel && panel.x >= 0 && panel.x + panel.width <= 390, `the notification panel fits 390 px (${JSON.stringify(panel)})`);
    await shot(mp, 'notifications-merchant-390-zh');
    await mp.keyboard.press('Escape');
    await mp.getByTestId('bell').click();
    await mp.getByTestId('nav-toggle').click();
    await mp.getByTestId('app-menu').waitFor();
    assertEqual(await mp.getByTestId('nav-organizations').count(), 0, 'no organizations menu for merchants');
    await shot(mp, 'menu-merchant-390-zh');
    await mp.keyboard.press('Escape');
    await mp.goto(`${base}/tickets`);
    await mp.getByTestId('page-tickets').waitFor();
    await mp.getByTestId('tickets-table').or(mp.getByText('暂无工单')).first().waitFor();
    assertEqual(await mp.locator('.ticket-card-sla').count(), 0, 'no SLA countdown on the merchant\'s ticket cards');
    await shot(mp, 'tickets-merchant-390-zh');
    await switchLanguage(mp, 'en-US');
    await mp.goto(`${base}/`);
    await mp.getByTestId('my-tickets').waitFor();
    await mp.waitForFunction(() => /My tickets/.test(document.querySelector('[data-testid="my-tickets"]')?.textContent ?? ''));
    await noHorizontalOverflow(mp, 'merchant overview at 390 px in English');
    await shot(mp, 'overview-merchant-390-en');
    noConsoleErrors('for the merchant');
    log('merchant: own overview, no staff menus or SLA clocks, in both languages');
  } catch (e) {
    await current?.screenshot({ path: path.join(SHOTS, 'failure.png'), fullPage: true }).catch(() => undefined);
    if (consoleErrors.length) log(`browser console:\n  ${consoleErrors.join('\n  ')}`);
    if (!(e instanceof AssertionError)) log(`server output (tail):\n${demo.output().slice(-2000)}`);
    throw e;
  } finally {
    await browser?.close();
    await demo.stop();
  }
}

await runE2e(run);
