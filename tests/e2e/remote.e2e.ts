/**
 * Remote management in a real browser, on the demo fleet (whose simulated terminals carry commands
 * out honestly): (a) the administrator runs a self-test from a terminal's command panel and reads
 * the checklist the terminal sent back, in Chinese and English; locks the terminal (confirmed) and
 * sees the terminal acknowledge it; (b) a bulk self-test on one site: the count is confirmed, the
 * batch page shows per-terminal progress until every terminal has answered, with the summary.
 *
 *   npx tsx tests/e2e/remote.e2e.ts
 *
 * Screenshots: test-results/e2e-remote/ (zh-CN and en-US, desktop and 390 px).
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, assert, AssertionError, CHROMIUM, CHROMIUM_ARGS, consoleWatch, log, noHorizontalOverflow, ROOT, runE2e, screenshotter, signIn, startDemoServer, switchLanguage } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-remote');
const shot = screenshotter(SHOTS);
/** A demo terminal answers in its next simulated minute, which the live demo reaches every ten seconds. */
const ANSWER_MS = 150_000;

async function run() {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const demo = await startDemoServer('remote');
  const { base } = demo;
  let browser: Browser | undefined;
  let current: Page | undefined;
  const { watch, noConsoleErrors } = consoleWatch();
  try {
    // The demo loads two hours of its fleet before it is ready; on a busy machine that takes longer than
    // the shared start-up limit, so this test waits up to ten minutes itself.
    const deadline = Date.now() + 600_000;
    for (;;) {
      const h = await fetch(`${base}/api/v1/health`).then((r) => (r.ok ? (r.json() as Promise<{ demo?: { ready: boolean } }>) : null)).catch(() => null);
      if (h && h.demo?.ready !== false) break;
      assert(Date.now() < deadline, 'the demo was not ready within ten minutes');
      await new Promise((r) => setTimeout(r, 2_000));
    }
    log('demo ready');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    ctx.setDefaultTimeout(20_000);
    const page = await ctx.newPage();
    current = page;
    watch(page);
    await signIn(page, base, ADMIN_EMAIL, ADMIN_PASSWORD);

    // A healthy demo terminal (its printer has paper, it is online).
    const list = (await (await page.request.get(`${base}/api/v1/terminals?status=ok&limit=5`)).json()) as { items: { id: string; serialNumber: string; siteId: string }[] };
    const term = list.items[0];
    assert(term, 'the demo has a healthy terminal');

    // (a) Self-test from the terminal page.
    await page.goto(`${base}/terminals/${term.id}`);
    const panel = page.getByTestId('command-panel');
    await panel.waitFor();
    await panel.scrollIntoViewIfNeeded();
    await page.getByTestId('command-send').click();
    await page.getByTestId('self-test-checklist').first().waitFor({ timeout: ANSWER_MS });
    const checklist = (await page.getByTestId('self-test-checklist').first().textContent()) ?? '';
    for (const part of ['打印机', '网络', '密钥', '存储', '电池']) assert(checklist.includes(part), `the self-test checklist names ${part}: ${checklist}`);
    await shot(page, 'terminal-command-panel-zh', panel);
    log('self-test: the terminal answered with a checklist');

    await switchLanguage(page, 'en-US');
    await page.getByTestId('self-test-checklist').first().waitFor();
    const checklistEn = (await page.getByTestId('self-test-checklist').first().textContent()) ?? '';
    for (const part of ['Printer', 'Network', 'Keys', 'Storage', 'Battery']) assert(checklistEn.includes(part), `the English checklist names ${part}`);
    await shot(page, 'terminal-command-panel-en', panel);

    // Lock, with its confirmation; the terminal acknowledges it.
    // The list is long (virtual): search it as a person would.
    await page.getByTestId('command-select').click();
    await page.keyboard.type('Lock');
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: 'Lock (refuse payments)' }).first().click();
    await page.getByTestId('arg-message').fill('Reported stolen: call 95555');
    await page.getByTestId('command-send').click();
    await page.locator('.ant-modal-confirm').getByText('refuses every payment').waitFor();
    await page.locator('.ant-modal-confirm .ant-btn-primary').click();
    await page.getByTestId('command-history').getByText('locked: Reported stolen: call 95555').waitFor({ timeout: ANSWER_MS });
    log('lock: confirmed, sent, acknowledged by the terminal');
    // The live card says so too, not only the command history.
    await page.getByTestId('live-locked').filter({ hasText: 'Reported stolen: call 95555' }).waitFor({ timeout: ANSWER_MS });
    await shot(page, 'terminal-locked-live-card-en', page.getByTestId('live-card'));
    await page.request.post(`${base}/api/v1/terminals/${term.id}/commands`, { data: { name: 'unlock', reason: 'e2e: found again' } });
    await page.getByTestId('live-locked').waitFor({ state: 'detached', timeout: ANSWER_MS });
    log('lock: shown on the live card while locked, gone once the terminal confirmed the unlock');

    // (b) Bulk self-test on the terminal's site.
    await page.goto(`${base}/commands`);
    await page.getByTestId('bulk-form').waitFor();
    const site = (await (await page.request.get(`${base}/api/v1/sites/${term.siteId}`)).json()) as { name: string };
    await page.getByTestId('bulk-site').click();
    await page.keyboard.type(site.name);
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: site.name }).first().click();
    await page.getByTestId('bulk-send').click();
    const count = page.getByTestId('bulk-confirm-count');
    await count.waitFor();
    const n = Number(/(\d+)/.exec((await count.textContent()) ?? '')?.[1]);
    assert(n >= 1, 'the confirmation says how many terminals');
    await shot(page, 'bulk-confirm-en');
    await page.locator('.ant-modal-confirm .ant-btn-primary').click();
    await page.waitForURL(/\/commands\/batches\//);
    await page.getByTestId('batch-terminals').waitFor();
    await page.waitForFunction(() => /0 waiting/.test(document.querySelector('[data-testid="batch-summary"]')?.textContent ?? ''), undefined, { timeout: ANSWER_MS });
    const summary = (await page.getByTestId('batch-summary').textContent()) ?? '';
    assert(/\d+ succeeded/.test(summary) && /\d+ failed/.test(summary), `the summary counts results: ${summary}`);
    await shot(page, 'bulk-batch-en');
    log(`bulk self-test on ${n} terminals: ${summary}`);

    await switchLanguage(page, 'zh-CN');
    await shot(page, 'bulk-batch-zh');
    await page.goto(`${base}/commands`);
    await page.getByTestId('bulk-form').waitFor();
    await shot(page, 'bulk-page-zh');

    // Phone width.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/commands`);
    await page.getByTestId('bulk-form').waitFor();
    await noHorizontalOverflow(page, 'bulk commands at 390 px');
    await shot(page, 'bulk-page-390-zh');
    await page.goto(`${base}/terminals/${term.id}`);
    await page.getByTestId('command-panel').waitFor();
    await page.getByTestId('command-panel').scrollIntoViewIfNeeded();
    await noHorizontalOverflow(page, 'terminal page at 390 px');
    await shot(page, 'terminal-command-panel-390-zh', page.getByTestId('command-panel'));
    noConsoleErrors('during remote management');
  } catch (e) {
    if (current) await shot(current, 'failure').catch(() => undefined);
    if (!(e instanceof AssertionError)) log(`server output (tail):\n${demo.output().slice(-2000)}`);
    throw e;
  } finally {
    await browser?.close();
    await demo.stop();
  }
}

await runE2e(run);
