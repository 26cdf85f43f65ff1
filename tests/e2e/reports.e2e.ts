/**
 * End-to-end check of satisfaction and reports in the console, in a real browser, on a demo server:
 * (a) a merchant on a 390 px phone opens their resolved ticket, sees until when they may rate, gives 4 stars with a
 * comment, and sees the rating (zh-CN, then English) → (b) an agent who did not work on another resolved ticket
 * records the merchant's phone rating on their behalf; on the first ticket sees the merchant's rating with who worked
 * it → (c) the agent opens Reports (the demo's 8 weeks of history): KPI tiles, MTTR per week, backlog by age, satisfaction
 * distribution, top causes switched from model to region, satisfaction per agent/team; downloads the summary as CSV
 * (BOM, Chinese headers) and the whole report as XLSX; the page in English, and at 390 px.
 *
 *   npx tsx tests/e2e/reports.e2e.ts
 *
 * Starts its own server (fresh data directory, free port, --demo) and Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
 * Needs a built console (npm run build -w @poscare/console). Fails on any assertion and any unexpected browser console error.
 * Screenshots: test-results/e2e-reports/.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, assert, assertEqual, AssertionError, CHROMIUM, CHROMIUM_ARGS, log, ROOT, screenshotter, text, runE2e, signIn, switchLanguage, noHorizontalOverflow, startDemoServer, consoleWatch } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-reports');
const shot = screenshotter(SHOTS);
const MERCHANT_EMAIL = 'shop@e2e-reports.test';
const MERCHANT_PASSWORD = 'E2e-Shop-Pass-1';
const AGENT_EMAIL = 'desk@e2e-reports.test';
const AGENT_PASSWORD = 'E2e-Desk-Pass-1';
const COMMENT = 'E2E：师傅当天就修好了，很满意';

async function reportReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('[data-testid="page-reports"]')?.getAttribute('data-ready') === 'true', undefined, { timeout: 30_000 });
}

/** A chart has drawn when its container holds a canvas with a size. */
async function chartDrawn(page: Page, testId: string): Promise<void> {
  await page.waitForFunction((id) => {
    const c = document.querySelector(`[data-testid="${id}"] canvas`) as HTMLCanvasElement | null;
    return !!c && c.width > 0 && c.height > 0;
  }, testId);
}

async function run(): Promise<void> {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const demo = await startDemoServer('reports');
  const { base } = demo;
  let browser: Browser | undefined;
  let current: Page | undefined;
  const { consoleErrors, watch, noConsoleErrors } = consoleWatch();

  try {
    await demo.healthy();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

    // 0. The administrator works two tickets of a shop to "resolved"; the shop's user and a desk agent exist.
    const adminCtx: BrowserContext = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    adminCtx.setDefaultTimeout(20_000);
    const admin = await adminCtx.newPage();
    current = admin;
    watch(admin);
    await signIn(admin, base, ADMIN_EMAIL, ADMIN_PASSWORD, 'page-overview');
    const me = (await (await admin.request.get(`${base}/api/v1/me`)).json()) as { id: string };
    const post = async (url: string, data: unknown, what: string, status = 201) => {
      const res = await admin.request.post(`${base}/api/v1${url}`, { data });
      assertEqual(res.status(), status, `${what}: ${await res.text()}`);
      return (await res.json()) as Record<string, any>;
    };
    const merchant = await post('/merchants', { mid: '898310000000888', name: 'E2E 评价便利店' }, 'create merchant');
    const site = await post('/sites', { merchantId: merchant.id, code: 'E2E-RP-01', name: 'E2E 评价便利店 南京路店', region: 'Shanghai' }, 'create site');
    await post('/users', { email: MERCHANT_EMAIL, name: '周店长', role: 'merchant', merchantId: merchant.id, language: 'zh-CN', password: MERCHANT_PASSWORD }, 'create merchant user');
    await post('/users', { email: AGENT_EMAIL, name: '孙坐席', role: 'agent', language: 'zh-CN', password: AGENT_PASSWORD }, 'create desk agent');
    const resolvedTicket = async (title: string) => {
      const { ticket } = await post('/tickets', { siteId: site.id, title, causeCode: 'hw.printer.jam' }, `open "${title}"`);
      await post(`/tickets/${ticket.id}/assign`, { assigneeId: me.id }, 'assign to the admin', 200);
      for (const step of [{ to: 'triaged' }, { to: 'locating' }, { to: 'planned', plan: { kind: 'onsite_repair', summary: '更换打印模块' } }, { to: 'in_progress' }, { to: 'verifying' }])
        await post(`/tickets/${ticket.id}/transition`, step, `move to ${step.to}`, 200);
      await post(`/tickets/${ticket.id}/transition`, { to: 'resolved', override: true, reason: 'E2E：商户电话确认已能打印' }, 'resolve', 200);
      return ticket as { id: string; number: string };
    };
    const rated = await resolvedTicket('E2E：打印机卡纸');
    const byPhone = await resolvedTicket('E2E：打印机又卡纸');
    log(`resolved ${rated.number} and ${byPhone.number}`);

    // 1. The merchant, on a phone, rates the first ticket.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    phone.setDefaultTimeout(20_000);
    const mp = await phone.newPage();
    current = mp;
    watch(mp);
    await signIn(mp, base, MERCHANT_EMAIL, MERCHANT_PASSWORD, 'page-overview');
    assertEqual(await mp.getByTestId('nav-reports').count(), 0, 'merchants have no Reports item');
    await mp.goto(`${base}/tickets/${rated.id}`);
    const card = mp.locator('[data-testid="rating-card"][data-state="open"]');
    await card.waitFor();
    await card.scrollIntoViewIfNeeded();
    assert((await text(mp, 'rating-until')).includes('请在'), 'the card says until when the merchant may rate');
    await shot(mp, 'rating-open-390-zh', card);
    await mp.getByTestId('rating-submit').click();
    await mp.getByText('请选择 1 到 5 星').waitFor();
    await mp.locator('[data-testid="rating-stars"] .ant-rate-star').nth(3).click();
    await mp.waitForFunction(() => document.querySelector('[data-testid="rating-stars"]')?.getAttribute('data-score') === '4');
    assert((await text(mp, 'rating-stars')).includes('满意'), 'the chosen score is named');
    await mp.getByTestId('rating-comment').fill(COMMENT);
    await noHorizontalOverflow(mp, 'ticket page with the rating form at 390 px');
    await shot(mp, 'rating-filled-390-zh', card);
    await mp.getByTestId('rating-submit').click();
    const given = mp.locator('[data-testid="rating-card"][data-state="rated"]');
    await given.waitFor();
    assertEqual(await mp.getByTestId('rating-given').getAttribute('data-score'), '4', 'the rating shows 4 stars');
    assertEqual(await text(mp, 'rating-given-comment'), COMMENT, 'the rating shows the comment');
    await mp.locator('[data-testid="ticket-event"][data-type="rating"]').first().waitFor();
    await given.scrollIntoViewIfNeeded();
    await shot(mp, 'rating-given-390-zh', given);
    await noHorizontalOverflow(mp, 'ticket page after rating at 390 px');
    await switchLanguage(mp, 'en-US');
    await mp.waitForFunction(() => (document.querySelector('[data-testid="rating-card"]')?.textContent ?? '').includes('Satisfied'));
    await given.scrollIntoViewIfNeeded();
    await shot(mp, 'rating-given-390-en', given);
    await switchLanguage(mp, 'zh-CN');
    noConsoleErrors('for the merchant');
    log('the merchant rated 4 stars on a phone');

    // 2. The desk agent: records a phone rating on the ticket they did not work; sees the merchant's rating.
    const deskCtx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    deskCtx.setDefaultTimeout(20_000);
    const page = await deskCtx.newPage();
    current = page;
    watch(page);
    await signIn(page, base, AGENT_EMAIL, AGENT_PASSWORD, 'page-overview');
    await page.goto(`${base}/tickets/${byPhone.id}`);
    await page.locator('[data-testid="rating-card"][data-state="open"]').waitFor();
    await page.getByTestId('rating-record').click();
    await page.getByTestId('rating-record-submit').waitFor();
    await page.locator('.ant-modal [data-testid="rating-stars"] .ant-rate-star').nth(4).click();
    await page.locator('.ant-modal [data-testid="rating-comment"]').fill('电话回访：满意');
    await shot(page, 'record-on-behalf-zh');
    await page.getByTestId('rating-record-submit').click();
    await page.locator('[data-testid="rating-card"][data-state="rated"]').waitFor();
    await page.getByTestId('rating-on-behalf').waitFor();
    await page.getByTestId('rating-card').scrollIntoViewIfNeeded();
    await shot(page, 'recorded-on-behalf-zh', page.getByTestId('rating-card'));
    await page.goto(`${base}/tickets/${rated.id}`);
    await page.locator('[data-testid="rating-card"][data-state="rated"]').waitFor();
    const staffView = (await page.getByTestId('rating-card').textContent()) ?? '';
    assert(staffView.includes(COMMENT) && staffView.includes('处理人'), `staff see the comment and who worked the ticket (got "${staffView}")`);
    noConsoleErrors('on the tickets for the agent');
    log('the agent recorded a phone rating and sees the merchant rating');

    // 3. Reports.
    await page.getByTestId('nav-reports').click();
    await reportReady(page);
    for (const id of ['chart-report-mttr', 'chart-report-satisfaction', 'chart-report-backlog', 'chart-report-causes']) await chartDrawn(page, id);
    for (const k of ['mttr', 'ftf', 'sla', 'satisfaction', 'backlog']) {
      const v = await page.getByTestId(`report-kpi-${k}`).getAttribute('data-value');
      assert(v !== null && v !== '' && Number.isFinite(Number(v)), `KPI ${k} has a value (got ${v})`);
    }
    const ratingsInTable = await page.locator('[data-testid="report-satisfaction-table"] tbody tr.ant-table-row').count();
    assert(ratingsInTable >= 2, `satisfaction per agent lists agents (got ${ratingsInTable} rows)`);
    assert(((await page.getByTestId('report-opened').textContent()) ?? '').includes('新建工单'), 'the period tells how many tickets were opened');
    await shot(page, 'reports-zh');
    await page.getByTestId('report-dim-region').click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('dim') === 'region');
    await chartDrawn(page, 'chart-report-causes');
    await page.getByTestId('report-by-team').click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('by') === 'team');
    await page.waitForFunction(() => (document.querySelector('[data-testid="report-satisfaction-table"]')?.textContent ?? '').includes('一线支持'));
    await shot(page, 'reports-region-team-zh');

    // CSV (summary) and XLSX (everything).
    await page.getByTestId('report-export-csv').click();
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-export-csv-summary').click()]);
    assert(/^poscare-service-desk-summary-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/.test(csv.suggestedFilename()), `a clear CSV file name (got ${csv.suggestedFilename()})`);
    const csvPath = path.join(SHOTS, csv.suggestedFilename());
    await csv.saveAs(csvPath);
    const csvBytes = readFileSync(csvPath);
    assert(csvBytes[0] === 0xef && csvBytes[1] === 0xbb && csvBytes[2] === 0xbf, 'the CSV starts with a UTF-8 BOM');
    const csvText = csvBytes.toString('utf8');
    assert(csvText.includes('指标') && csvText.includes('平均修复时长'), 'the CSV headers are in Chinese');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-export-xlsx').click()]);
    assert(xlsx.suggestedFilename().endsWith('.xlsx'), `an XLSX file (got ${xlsx.suggestedFilename()})`);
    const xlsxPath = path.join(SHOTS, xlsx.suggestedFilename());
    await xlsx.saveAs(xlsxPath);
    const xlsxBytes = readFileSync(xlsxPath);
    assert(xlsxBytes[0] === 0x50 && xlsxBytes[1] === 0x4b && xlsxBytes.length > 4000, 'the XLSX is a workbook');
    log(`downloaded ${csv.suggestedFilename()} and ${xlsx.suggestedFilename()} (${xlsxBytes.length} bytes)`);

    // In English.
    await switchLanguage(page, 'en-US');
    await page.waitForFunction(() => (document.querySelector('[data-testid="page-reports"]')?.textContent ?? '').includes('First-time fix'));
    await reportReady(page);
    await chartDrawn(page, 'chart-report-mttr');
    await shot(page, 'reports-en');
    await switchLanguage(page, 'zh-CN');
    noConsoleErrors('on the reports page');

    // At 390 px (a supervisor checking the figures on a phone).
    const small = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    small.setDefaultTimeout(20_000);
    const sp = await small.newPage();
    current = sp;
    watch(sp);
    await signIn(sp, base, AGENT_EMAIL, AGENT_PASSWORD, 'page-overview');
    await sp.goto(`${base}/reports`);
    await reportReady(sp);
    await chartDrawn(sp, 'chart-report-mttr');
    await noHorizontalOverflow(sp, 'reports at 390 px');
    await shot(sp, 'reports-390-zh');
    noConsoleErrors('on the reports page at 390 px');
    log('reports: charts, tables, CSV and XLSX in both languages');
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
