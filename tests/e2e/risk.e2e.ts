/**
 * End-to-end check of risk work, in a real browser, on a demo server: the demo fleet stages a
 * card-testing burst → the live findings engine opens a risk case → the analyst (risk@demo.poscare)
 * finds it in the risk inbox, opens the case (payments, the card's and the terminal's history, health),
 * decides "fraud" blocking the tested cards → the card tokens are on the block list → `POST
 * /api/v1/risk/decide` for one of those cards answers "block"; the threshold editor backtests a change
 * before it can be saved. zh-CN, then en-US.
 *
 *   npx tsx tests/e2e/risk.e2e.ts
 *
 * Starts its own server (fresh data directory, free port, --demo) and Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
 * Needs a built console (node scripts/build-console.mjs). Screenshots: test-results/e2e-risk/.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { assert, assertEqual, CHROMIUM, CHROMIUM_ARGS, consoleWatch, log, ROOT, runE2e, screenshotter, signIn, startDemoServer, switchLanguage } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-risk');
const shot = screenshotter(SHOTS);
const ANALYST = 'risk@demo.poscare';
const DEMO_PASSWORD = 'PosCare-Demo-2026';

interface CaseRow {
  id: string;
  code: string;
}
interface CaseDetail extends CaseRow {
  decision: string | null;
  cardTokens: string[];
  terminals: { id: string }[];
  payments: { terminalId: string; source: string; outcome: string; cardToken: string | null }[];
}

async function run(): Promise<void> {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const demo = await startDemoServer('risk');
  const { base } = demo;
  let browser: Browser | undefined;
  let current: Page | undefined;
  const { watch, noConsoleErrors } = consoleWatch();
  try {
    await demo.healthy();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    ctx.setDefaultTimeout(30_000);
    const page = await ctx.newPage();
    current = page;
    watch(page);
    await signIn(page, base, ANALYST, DEMO_PASSWORD);

    // 1. The menu has the risk pages; the demo's card-testing burst becomes a case in the inbox.
    for (const id of ['nav-risk', 'nav-risk-blocks', 'nav-risk-thresholds']) assertEqual(await page.getByTestId(id).count(), 1, `menu entry ${id}`);
    const started = Date.now();
    let row: CaseRow | undefined;
    while (!row) {
      const res = await page.request.get(`${base}/api/v1/risk/cases?code=risk.card_testing&status=open`);
      assertEqual(res.status(), 200, 'the risk inbox answers the analyst');
      row = ((await res.json()) as { items: CaseRow[] }).items[0];
      if (row) break;
      assert(Date.now() - started < 240_000, 'no card-testing case within 4 minutes of the demo starting');
      await page.waitForTimeout(3_000);
    }
    log(`the card-testing case showed after ${Math.round((Date.now() - started) / 1000)} s`);
    await page.getByTestId('nav-risk').click();
    await page.getByTestId('risk-inbox').waitFor();
    await page.getByTestId('risk-stats').waitFor();
    await page.locator(`a[href="/risk/cases/${row.id}"]`).first().waitFor();
    await shot(page, 'inbox-zh');

    // 2. The case page: both sides of the payments, the card's and the terminal's history, health then.
    await page.locator(`a[href="/risk/cases/${row.id}"]`).first().click();
    await page.getByTestId('risk-case').waitFor();
    const before = (await (await page.request.get(`${base}/api/v1/risk/cases/${row.id}`)).json()) as CaseDetail;
    assert(before.cardTokens.length >= 8, `a card-testing case names the tested cards (${before.cardTokens.length})`);
    assert((await page.getByTestId('risk-payments').locator('tbody tr.ant-table-row').count()) > 0, 'the case lists its payments');
    await page.getByTestId('risk-terminal-history').waitFor();
    await page.getByTestId('risk-health').waitFor();
    await page.getByTestId('assign-me').click();
    await page.getByText('陈静').first().waitFor();
    await shot(page, 'case-zh');

    // 3. Decide fraud; the cards with a declined attempt are ticked by default (real customers' approved
    //    small payments in the same run are not).
    await page.getByTestId('decision-choice').getByText('欺诈', { exact: true }).click();
    await page.getByTestId('block-cards').waitFor();
    const suspects = new Set(before.payments.filter((p) => p.source === 'terminal' && p.outcome !== 'approved' && p.cardToken).map((p) => p.cardToken!));
    const ticked = await page.getByTestId('block-cards').locator('input[type=checkbox]:checked').count();
    assert(suspects.size >= 4, `the burst has declined cards (${suspects.size})`);
    assertEqual(ticked, suspects.size, 'the cards with a declined attempt are ticked to be blocked');
    await page.getByTestId('decision-note').fill('十张陌生卡在十分钟内小额试刷，拉黑。');
    await shot(page, 'decision-form-zh', page.getByTestId('risk-decision-form'));
    await page.getByTestId('decision-submit').click();
    await page.getByTestId('risk-decided').waitFor();
    assertEqual(await page.getByTestId('risk-case-block').count(), suspects.size, 'the case shows the blocked cards');
    await shot(page, 'case-decided-zh');

    // 4. The block list has the cards; risk/decide answers "block" for one of them.
    await page.getByTestId('nav-risk-blocks').click();
    await page.getByTestId('risk-blocks').waitFor();
    const card = [...suspects][0]!;
    await page.getByTestId('block-token').filter({ hasText: card }).first().waitFor();
    await shot(page, 'blocks-zh');
    const terminalId = before.terminals[0]?.id ?? before.payments[0]!.terminalId;
    const answer = await page.request.post(`${base}/api/v1/risk/decide`, {
      data: { terminalId, cardToken: card, amountMinor: 500, entryMode: 'contactless', at: new Date().toISOString() },
      headers: { 'accept-language': 'zh-CN' },
    });
    assertEqual(answer.status(), 200, 'risk/decide answers');
    const verdict = (await answer.json()) as { verdict: string; reasons: { code: string; text: string }[] };
    assertEqual(verdict.verdict, 'block', `risk/decide for the blocked card ${card}`);
    assert(verdict.reasons.some((r) => r.code === 'card_blocked' && r.text.includes('黑名单')), 'the reason names the block list, in Chinese');
    const other = (await (await page.request.post(`${base}/api/v1/risk/decide`, { data: { terminalId, cardToken: 'tok_never_seen_e2e', amountMinor: 500, entryMode: 'chip', at: new Date().toISOString() } })).json()) as { verdict: string };
    assert(other.verdict !== 'block', `a card nobody blocked is not blocked (${other.verdict})`);

    // 5. English: the inbox with the decision counted, and the threshold editor's backtest before saving.
    await switchLanguage(page, 'en-US');
    await page.getByTestId('nav-risk').click();
    await page.getByTestId('risk-stats').getByText('Card testing').first().waitFor();
    await shot(page, 'inbox-en');
    await page.getByTestId('nav-risk-thresholds').click();
    await page.getByTestId('risk-thresholds').waitFor();
    assert(await page.getByTestId('thresholds-save').isDisabled(), 'saving waits for a backtest');
    await page.getByTestId('th-cardTesting-minAttempts').fill('14');
    await page.getByTestId('backtest-run').click();
    await page.getByTestId('backtest-result').waitFor({ timeout: 120_000 });
    await page.getByTestId('backtest-chart').waitFor();
    assert(!(await page.getByTestId('thresholds-save').isDisabled()), 'after the backtest the change can be saved');
    await shot(page, 'thresholds-backtest-en');
    await page.getByTestId('thresholds-save').click();
    await page.getByText('v1').first().waitFor();
    noConsoleErrors('during risk work');
  } catch (e) {
    if (current) await shot(current, 'failure').catch(() => {});
    throw e;
  } finally {
    await browser?.close();
    await demo.stop();
  }
}

await runE2e(run);
