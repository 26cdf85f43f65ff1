/**
 * Payments from both sides in the console, on a demo server (whose host side follows every demo payment):
 * (a) an admin opens Transactions: the table, the success-rate charts (entry mode, response codes); filters
 * by "outcome differs" through the URL and opens a payment: the terminal timed out or failed, the host
 * approved, both sides side by side → (b) Reconciliation of today by terminal, exported as CSV (BOM, Chinese
 * headers) → (c) the explorer in English → (d) the demo merchant on a 390 px phone sees their own payments only.
 *
 *   npx tsx tests/e2e/payments.e2e.ts
 *
 * Needs a built console (node scripts/build-console.mjs). Screenshots: test-results/e2e-payments/.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, assert, CHROMIUM, CHROMIUM_ARGS, consoleWatch, log, noHorizontalOverflow, ROOT, runE2e, screenshotter, signIn, startDemoServer, switchLanguage } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-payments');
const shot = screenshotter(SHOTS);

async function chartDrawn(page: Page, testId: string): Promise<void> {
  await page.waitForFunction((id) => {
    const c = document.querySelector(`[data-testid="${id}"] canvas`) as HTMLCanvasElement | null;
    return !!c && c.width > 0 && c.height > 0;
  }, testId);
}
const rows = (page: Page) => page.locator('[data-testid="payments-table"] tbody tr.ant-table-row');

async function run(): Promise<void> {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const demo = await startDemoServer('payments');
  let browser: Browser | undefined;
  const { watch, noConsoleErrors } = consoleWatch();
  try {
    await demo.healthy();
    // The demo's history (and its host side) loads after the server answers.
    for (let i = 0; i < 240; i++) {
      const h = (await (await fetch(`${demo.base}/api/v1/health`)).json()) as { demo?: { ready: boolean } };
      if (h.demo?.ready) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    await new Promise((r) => setTimeout(r, 5_000));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 960 }, locale: 'zh-CN', acceptDownloads: true });
    ctx.setDefaultTimeout(30_000);
    const page = await ctx.newPage();
    watch(page);
    await signIn(page, demo.base, ADMIN_EMAIL, ADMIN_PASSWORD, 'page-overview');

    // (a) The explorer: payments of the last 24 hours, both sides, charts.
    await page.getByTestId('nav-payments').click();
    await rows(page).first().waitFor();
    await chartDrawn(page, 'chart-entry-mode');
    await chartDrawn(page, 'chart-response-code');
    assert((await rows(page).count()) > 10, 'the explorer lists the demo payments');
    await shot(page, 'explorer-zh');

    await page.goto(`${demo.base}/payments?status=outcome_differs`);
    await rows(page).first().waitFor();
    const statuses = await page.locator('[data-testid="payments-table"] [data-testid^="status-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    assert(statuses.length > 0 && statuses.every((s) => s === 'status-outcome_differs'), `only payments whose outcome differs: ${statuses.join(', ')}`);
    await rows(page).first().click();
    const drawer = page.getByTestId('payment-drawer');
    await drawer.getByText('主机侧').waitFor();
    const drawerText = (await page.locator('.ant-drawer-body').textContent()) ?? '';
    assert(drawerText.includes('终端侧') && drawerText.includes('成功'), 'the drawer shows both sides, the host approved');
    assert(/超时|错误/.test(drawerText), 'the terminal side timed out or failed');
    await shot(page, 'payment-both-sides-zh');
    await page.keyboard.press('Escape');

    // (b) Reconciliation of today, exported.
    await page.getByTestId('nav-reconciliation').click();
    await page.locator('[data-testid="recon-table"] tbody tr.ant-table-row').first().waitFor();
    await shot(page, 'reconciliation-zh');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('recon-export-csv').click()]);
    const file = await download.path();
    const csv = readFileSync(file!);
    assert(csv[0] === 0xef && csv[1] === 0xbb && csv[2] === 0xbf, 'the CSV starts with a BOM (Excel reads it as UTF-8)');
    assert(csv.toString('utf8').includes('终端笔数'), 'the CSV headers are in Chinese');
    log(`reconciliation exported: ${download.suggestedFilename()}`);

    // (c) English.
    await switchLanguage(page, 'en-US');
    await page.getByTestId('nav-payments').click();
    await rows(page).first().waitFor();
    await chartDrawn(page, 'chart-entry-mode');
    await page.getByText('Success rate by entry mode').waitFor();
    await shot(page, 'explorer-en');
    noConsoleErrors('for the admin');

    // (d) The demo merchant on a phone: their own payments.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
    phone.setDefaultTimeout(30_000);
    const m = await phone.newPage();
    watch(m);
    await signIn(m, demo.base, 'merchant@demo.poscare', 'PosCare-Demo-2026');
    await m.goto(`${demo.base}/payments`);
    await rows(m).first().waitFor();
    await noHorizontalOverflow(m, 'the merchant’s transactions at 390 px');
    const api = await m.evaluate(async () => (await fetch('/api/v1/payments?pageSize=200')).json());
    const merchants = new Set((api as { items: { merchantId: string | null }[] }).items.map((p) => p.merchantId));
    assert(merchants.size === 1, `the merchant sees one merchant's payments only (${[...merchants].join(', ')})`);
    await shot(m, 'explorer-merchant-390');
    noConsoleErrors('for the merchant');
  } finally {
    await browser?.close();
    await demo.stop();
  }
}

void runE2e(run);
