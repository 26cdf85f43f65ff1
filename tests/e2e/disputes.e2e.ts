/**
 * End-to-end check of disputes, in a real browser, on a demo server (the demo opens four disputes):
 * - the merchant on a 390 px phone (zh-CN) sees the chargeback for a duplicate charge with its
 *   deadline and the proposal to accept, and accepts it;
 * - the agent on a desktop (en-US, then zh-CN) opens the fraud chargeback, downloads the evidence pack
 *   PDF (rendered to PNG with pdftoppm), submits it and records it won;
 * - the agent imports the acquirer's file (row report: matched, unmatched, refused; the same file again
 *   opens nothing), matches the unmatched retrieval by hand (search, confirm), and reads the report.
 *
 *   npx tsx tests/e2e/disputes.e2e.ts
 *
 * Needs a built console (node scripts/build-console.mjs). Screenshots: test-results/e2e-disputes/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { assert, assertEqual, CHROMIUM, CHROMIUM_ARGS, consoleWatch, log, noHorizontalOverflow, ROOT, runE2e, screenshotter, signIn, startDemoServer, switchLanguage } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-disputes');
const shot = screenshotter(SHOTS);
const DEMO_PASSWORD = 'PosCare-Demo-2026';
const PAN = '4111111111111111';

async function run(): Promise<void> {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const demo = await startDemoServer('disputes');
  const { base } = demo;
  let browser: Browser | undefined;
  const { watch, noConsoleErrors } = consoleWatch();
  try {
    await demo.healthy();
    // The demo's history (and its disputes) is written while the server already answers: wait for it.
    for (const until = Date.now() + 600_000; Date.now() < until; await new Promise((r) => setTimeout(r, 2_000))) {
      const ready = await fetch(`${base}/api/v1/health`)
        .then(async (r) => r.ok && ((await r.json()) as { demo?: { ready: boolean } }).demo?.ready === true)
        .catch(() => false);
      if (ready) break;
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

    // 1. The merchant on a phone: the duplicate-charge chargeback first-hand, deadline and what to do.
    const phoneCtx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    phoneCtx.setDefaultTimeout(30_000);
    const phone = await phoneCtx.newPage();
    watch(phone);
    await signIn(phone, base, 'merchant@demo.poscare', DEMO_PASSWORD);
    await phone.goto(`${base}/disputes`);
    const cards = phone.getByTestId('dispute-card');
    await cards.first().waitFor();
    assertEqual(await cards.count(), 3, 'the merchant sees its three matched disputes (the unmatched one is staff-only)');
    await noHorizontalOverflow(phone, 'the merchant’s disputes at 390 px');
    await shot(phone, 'merchant-list-zh-390');
    const dup = cards.filter({ hasText: '重复扣款' }).first();
    const todo = (await dup.getByTestId('dispute-todo').textContent()) ?? '';
    assert(todo.includes('确实被重复扣款'), `the duplicate chargeback proposes to accept: ${todo}`);
    assert(((await dup.getByTestId('dispute-deadline').textContent()) ?? '').includes('工作日'), 'the deadline shows business days left');
    await dup.click();
    await phone.getByTestId('dispute-page').waitFor();
    await noHorizontalOverflow(phone, 'a dispute at 390 px');
    await shot(phone, 'merchant-duplicate-zh-390');
    await phone.getByTestId('dispute-accept').click();
    await phone.getByTestId('dispute-accept-ok').click();
    await phone.getByTestId('dispute-status').filter({ hasText: '已接受' }).waitFor();
    await shot(phone, 'merchant-accepted-zh-390');
    log('the merchant accepted the duplicate-charge chargeback on the phone');

    // 2. The agent on a desktop: the fraud chargeback, its PDF, submitted, won.
    const deskCtx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    deskCtx.setDefaultTimeout(30_000);
    const desk = await deskCtx.newPage();
    watch(desk);
    await signIn(desk, base, 'agent@demo.poscare', DEMO_PASSWORD);
    await switchLanguage(desk, 'en-US');
    await desk.goto(`${base}/disputes?status=all`);
    await desk.getByTestId('dispute-row').first().waitFor();
    await shot(desk, 'agent-list-en');
    await desk.goto(`${base}/disputes?status=unmatched`);
    await desk.getByTestId('dispute-row').filter({ hasText: 'VIS-RR-2093' }).waitFor();
    await desk.goto(`${base}/disputes`);
    await desk.getByTestId('dispute-link').filter({ hasText: 'VIS-88412' }).click();
    await desk.getByTestId('dispute-page').waitFor();
    const checks = desk.getByTestId('check-item');
    assert((await checks.count()) >= 5, 'the fraud group’s checklist');
    // A PIN-verified chip payment with both sides on record: nothing for the merchant to add (the demo's
    // seeded payment is days older than the demo fleet's telemetry, so its health may be missing).
    const missing = await desk.locator('[data-testid="check-item"][data-present="false"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-item')));
    assert(missing.every((m) => m === 'terminal_health'), `nothing but the terminal's health is missing: ${missing.join(', ')}`);
    await desk.getByTestId('dispute-receipt').waitFor();
    await shot(desk, 'agent-fraud-en');

    const href = await desk.getByTestId('dispute-pdf').getAttribute('href');
    const pdf = await desk.request.get(`${base}${href}`);
    assertEqual(pdf.headers()['content-type'], 'application/pdf', 'the PDF download');
    const file = path.join(SHOTS, 'fraud-pack.pdf');
    writeFileSync(file, await pdf.body());
    execFileSync('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '1', file, path.join(SHOTS, 'fraud-pack')]);
    assert(statSync(path.join(SHOTS, 'fraud-pack-1.png')).size > 10_000, 'the PDF renders to a page');
    const pdfText = execFileSync('pdftotext', [file, '-']).toString();
    assert(pdfText.includes('争议证据') && pdfText.includes('VIS-88412'), 'the PDF is in the dispute’s language (zh-CN) with its case number');

    await desk.getByTestId('dispute-submit').click();
    await desk.getByTestId('dispute-submit-ok').click();
    await desk.getByTestId('dispute-status').filter({ hasText: 'Evidence submitted' }).waitFor();
    await desk.getByTestId('dispute-won').click();
    await desk.getByTestId('dispute-status').filter({ hasText: 'Won' }).waitFor();
    await shot(desk, 'agent-won-en');
    await switchLanguage(desk, 'zh-CN');
    await desk.getByTestId('dispute-status').filter({ hasText: '胜诉' }).waitFor();
    await shot(desk, 'agent-won-zh');
    await desk.goto(`${base}/disputes?status=all`);
    await desk.getByTestId('dispute-row').first().waitFor();
    await shot(desk, 'agent-list-zh');
    log('the agent downloaded the fraud pack, submitted it and recorded it won');

    // 3. The agent opens disputes from the acquirer's file (zh-CN): a row report, then the same file again opens nothing.
    await desk.goto(`${base}/disputes`);
    await desk.getByTestId('dispute-import').click();
    const csvFile = path.join(SHOTS, 'acquirer-disputes.csv');
    writeFileSync(
      csvFile,
      [
        '卡组织,类型,原因码,案件编号,争议金额,检索参考号,备注',
        'unionpay,拒付,4514,E2E-CUP-1,459.00,690000900004,',
        'visa,chargeback,10.4,E2E-VIS-2,120.00,690000000001,',
        'visa,chargeback,10.4,E2E-VIS-3,abc,690000900003,',
        `visa,chargeback,10.4,E2E-VIS-4,10.00,690000900003,${PAN}`,
      ].join('\r\n'),
    );
    const outcomes = () => desk.getByTestId('import-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-outcome')).join(','));
    await desk.locator('.ant-modal input[type=file]').setInputFiles(csvFile);
    await desk.getByTestId('dispute-import-report').waitFor();
    assertEqual(await outcomes(), 'needs_response,unmatched,invalid,invalid', 'each row’s outcome');
    const reportText = (await desk.getByTestId('dispute-import-report').textContent()) ?? '';
    assert(reportText.includes('"abc"不是以元为单位的金额') && reportText.includes('该行疑似包含银行卡号'), `the problems in Chinese: ${reportText}`);
    assert(!(await desk.content()).includes(PAN), 'the card number is nowhere on the page');
    await shot(desk, 'import-report-zh');
    await desk.locator('.ant-modal input[type=file]').setInputFiles(csvFile);
    await desk.waitForFunction(() => [...document.querySelectorAll('[data-testid="import-row"]')].map((e) => e.getAttribute('data-outcome')).join(',') === 'existing,existing,invalid,invalid');
    await shot(desk, 'import-again-zh');
    await desk.keyboard.press('Escape');
    log('the agent imported the acquirer’s file: one matched, one unmatched, two refused with the reason; the same file again opened nothing');

    // 4. Matching by hand: a search that finds nothing says why (zh-CN); the demo's unmatched retrieval is matched (en-US).
    await desk.goto(`${base}/disputes?status=unmatched`);
    await desk.getByTestId('dispute-link').filter({ hasText: 'E2E-VIS-2' }).click();
    await desk.getByTestId('dispute-match').waitFor();
    await desk.getByTestId('match-search').click();
    await desk.getByTestId('match-none').filter({ hasText: '没有交易符合这些参考号' }).waitFor();
    await shot(desk, 'match-none-zh');
    await switchLanguage(desk, 'en-US');
    await desk.goto(`${base}/disputes?status=unmatched`);
    // The form to open one by hand: kind, reason code from the data, amount, an optional deadline, the payment's references.
    await desk.getByTestId('dispute-open').click();
    await desk.getByTestId('dispute-respond-by').waitFor();
    await shot(desk, 'open-form-en');
    await desk.keyboard.press('Escape');
    await desk.getByTestId('dispute-import').click();
    await desk.getByTestId('dispute-template-xlsx').waitFor();
    await shot(desk, 'import-dialog-en');
    await desk.keyboard.press('Escape');
    await desk.getByTestId('dispute-link').filter({ hasText: 'VIS-RR-2093' }).click();
    await desk.getByTestId('dispute-match').waitFor();
    await desk.getByTestId('match-rrn').fill('690000900004');
    await desk.getByTestId('match-search').click();
    await desk.getByTestId('match-candidate').first().waitFor();
    assertEqual(await desk.getByTestId('match-candidate').count(), 1, 'one payment has that RRN');
    assert(((await desk.getByTestId('match-candidate').textContent()) ?? '').includes('Terminal + Host'), 'both sides saw it');
    await shot(desk, 'match-search-en');
    await desk.getByTestId('match-confirm').click();
    await desk.getByTestId('match-confirm-ok').click();
    await desk.getByTestId('dispute-status').filter({ hasText: 'Needs a response' }).waitFor();
    await desk.getByTestId('dispute-pack').waitFor();
    assert(!(await desk.getByTestId('dispute-match').isVisible()), 'the search is gone once matched');
    await shot(desk, 'matched-en');
    log('the agent matched the unmatched retrieval by hand: searched, confirmed, pack assembled');

    // 5. The report (en-US, then zh-CN).
    await desk.goto(`${base}/disputes/report`);
    await desk.locator('[data-testid="dispute-report"][data-ready="true"]').waitFor();
    await desk.getByTestId('dispute-report-rates-chart').waitFor();
    assert((await desk.getByTestId('rate-row').count()) > 0, 'findings per 1,000 payments by model');
    assertEqual(await desk.getByTestId('dispute-kpi-win-rate').getAttribute('data-value'), '100%', 'the fraud chargeback was won, none lost');
    await shot(desk, 'report-en');
    await switchLanguage(desk, 'zh-CN');
    await desk.locator('[data-testid="dispute-report"][data-ready="true"]').waitFor();
    await desk.getByText('每千笔交易的风险发现').first().waitFor();
    await shot(desk, 'report-zh');
    log('the report shows the win rate, money, time to answer and findings per 1,000 payments');

    // 6. The merchant's phone in English.
    // The language the console keeps per browser (the switch sits in the phone's drawer).
    await phone.evaluate(() => window.localStorage.setItem('poscare.language', 'en-US'));
    await phone.goto(`${base}/disputes?status=all`);
    await phone.waitForFunction(() => document.documentElement.lang === 'en-US');
    await phone.getByTestId('dispute-card').first().waitFor();
    await noHorizontalOverflow(phone, 'the merchant’s disputes at 390 px, English');
    await shot(phone, 'merchant-list-en-390');
    noConsoleErrors('on the disputes pages');
  } finally {
    await browser?.close();
    await demo.stop();
  }
}

void runE2e(run);
