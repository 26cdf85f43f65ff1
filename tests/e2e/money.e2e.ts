/**
 * End-to-end check of the merchant's money page, in a real browser, on a demo server: the demo fleet
 * stages a double submit at merchant@demo.poscare's shop → the live findings engine finds it → the
 * merchant, on a 390 px phone, sees it on /money with the amount and the payment to refund, checks
 * "was this customer charged twice?" and asks for help (one ticket) → the refund of the duplicate is
 * recorded (the acquirer's host log through POST /api/v1/host-records) → the finding closes by itself and
 * the merchant sees it settled; staff see it in the findings inbox, in zh-CN and en-US.
 *
 *   npx tsx tests/e2e/money.e2e.ts
 *
 * Starts its own server (fresh data directory, free port, --demo) and Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
 * Needs a built console (node scripts/build-console.mjs). Screenshots: test-results/e2e-money/.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, assert, assertEqual, CHROMIUM, CHROMIUM_ARGS, consoleWatch, log, noHorizontalOverflow, ROOT, runE2e, screenshotter, signIn, startDemoServer, switchLanguage } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-money');
const shot = screenshotter(SHOTS);
const MERCHANT = 'merchant@demo.poscare';
const DEMO_PASSWORD = 'PosCare-Demo-2026';

interface Finding {
  id: string;
  code: string;
  status: string;
  amountMinor: number;
  merchantId: string;
  terminalId: string;
  cardToken: string | null;
  refund: { txnIds: string[]; amountMinor: number } | null;
  payments: { txnId: string; toRefund: boolean; terminal: { stan: string; rrn: string | null; amountMinor: number; at: string } | null; host: { rrn: string | null } | null }[];
}

async function run(): Promise<void> {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const demo = await startDemoServer('money');
  const { base } = demo;
  let browser: Browser | undefined;
  let current: Page | undefined;
  const { watch, noConsoleErrors } = consoleWatch();
  try {
    // On a loaded machine the demo may take longer than the shared start-up limit to be ready: wait for it here first.
    for (const until = Date.now() + 600_000; Date.now() < until; await new Promise((r) => setTimeout(r, 2_000))) {
      const ready = await fetch(`${base}/api/v1/health`)
        .then(async (r) => r.ok && ((await r.json()) as { demo?: { ready: boolean } }).demo?.ready === true)
        .catch(() => false);
      if (ready) break;
    }
    await demo.healthy();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

    // 1. The merchant on a phone: the double submit the demo staged shows on /money, with what to refund.
    const phoneCtx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    phoneCtx.setDefaultTimeout(30_000);
    const phone = await phoneCtx.newPage();
    current = phone;
    watch(phone);
    await signIn(phone, base, MERCHANT, DEMO_PASSWORD);
    await phone.goto(`${base}/money`);
    await phone.getByTestId('money-page').waitFor();
    // The demo's history loads first, then the live fleet stages the double submit; the engine finds it within seconds.
    const started = Date.now();
    let findingId: string | undefined;
    while (!findingId) {
      assert(Date.now() - started < 240_000, 'the staged double submit was not found within 4 minutes');
      const list = (await (await phone.request.get(`${base}/api/v1/findings?code=dup.double_submit&status=open`)).json()) as { items: { id: string }[] };
      findingId = list.items[0]?.id;
      if (!findingId) await phone.waitForTimeout(2_000);
    }
    log(`the double submit was found ${Math.round((Date.now() - started) / 1000)} s after the demo was ready`);
    await phone.reload();
    // The demo's other traffic has duplicate charges of its own (timeouts the host approved): find this one's card.
    const card = phone.locator(`[data-testid="money-open-finding"][data-finding-id="${findingId}"]`);
    await card.waitFor();
    await card.scrollIntoViewIfNeeded();
    const finding = (await (await phone.request.get(`${base}/api/v1/findings/${findingId}`)).json()) as Finding;
    assertEqual(finding.code, 'dup.double_submit', 'the merchant’s finding');
    assertEqual(finding.status, 'open', 'the finding before the refund');
    const yuan = (finding.refund!.amountMinor / 100).toFixed(2);
    const refundText = (await card.getByTestId('money-refund-amount').textContent()) ?? '';
    assert(refundText.includes('应退') && refundText.includes(yuan), `the card says what to refund: "${refundText}" (expected ${yuan})`);
    assertEqual(await card.getByTestId('refund-this').count(), 1, 'one payment marked "refund this one"');
    await noHorizontalOverflow(phone, '/money at 390 px');
    await shot(phone, 'merchant-money-phone-zh');
    await shot(phone, 'merchant-double-submit-card-phone-zh', card);

    // 2. "Was this customer charged twice?" — the time and amount of the sale.
    const dup = finding.payments.find((p) => p.toRefund)!;
    // antd puts the test id on the input itself (or, in other versions, on its wrapper).
    const amountBox = phone.getByTestId('check-amount');
    await ((await amountBox.evaluate((el) => el.tagName)) === 'INPUT' ? amountBox : amountBox.locator('input')).fill(yuan);
    await phone.getByTestId('check-submit').click();
    await phone.getByTestId('check-answer').waitFor();
    assertEqual(await phone.getByTestId('check-answer').getAttribute('data-verdict'), 'yes', 'charged twice? (around now, that amount)');
    await shot(phone, 'merchant-charged-twice-phone-zh');

    // 3. The merchant asks for help: one ticket, linked to the finding.
    await card.getByTestId('ask-help').click();
    await phone.getByTestId('ask-help-send').click();
    await card.getByTestId('finding-ticket').waitFor();
    const linked = (await (await phone.request.get(`${base}/api/v1/findings/${findingId}`)).json()) as Finding & { ticketId: string | null };
    assert(linked.ticketId, 'the finding links the ticket the merchant opened');
    const again = await phone.request.post(`${base}/api/v1/findings/${findingId}/ask-for-help`, { data: {} });
    assertEqual(((await again.json()) as { ticketId: string }).ticketId, linked.ticketId, 'asking again gives the same ticket');

    // 4. The refund of the duplicate arrives from the acquirer's host log.
    const adminCtx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    adminCtx.setDefaultTimeout(30_000);
    const admin = await adminCtx.newPage();
    current = admin;
    watch(admin);
    await signIn(admin, base, ADMIN_EMAIL, ADMIN_PASSWORD);
    const rrn = dup.terminal?.rrn ?? dup.host?.rrn;
    assert(rrn, 'the duplicate has a reference number to refund against');
    // The host names the terminal by its TID or serial number.
    const terminal = (await (await admin.request.get(`${base}/api/v1/terminals/${finding.terminalId}`)).json()) as { terminal?: { serialNumber: string; tid?: string | null }; serialNumber?: string; tid?: string | null };
    const t = terminal.terminal ?? terminal;
    const hostTerminal = t.serialNumber;
    assert(hostTerminal, `the terminal's serial number: ${JSON.stringify(terminal).slice(0, 200)}`);
    const refund = {
      id: `e2e-refund-${findingId.slice(0, 8)}`, source: 'host', at: new Date().toISOString(), merchantId: finding.merchantId, terminalId: hostTerminal,
      type: 'refund', amountMinor: finding.refund!.amountMinor, currency: 'CNY', entryMode: 'chip', stan: '987654', outcome: 'approved', responseCode: '00',
      originalRrn: rrn, ...(finding.cardToken ? { cardToken: finding.cardToken } : {}),
    };
    const imported = await admin.request.post(`${base}/api/v1/host-records?format=jsonl`, { multipart: { file: { name: 'refund.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(JSON.stringify(refund) + '\n') } } });
    assertEqual(imported.status(), 200, `host refund import: ${await imported.text()}`);
    assertEqual(((await imported.json()) as { stored: number }).stored, 1, `the refund is stored: ${await imported.text()}`);

    // 5. The finding closes by itself; the merchant sees it settled.
    current = phone;
    const closing = Date.now();
    for (;;) {
      const f = (await (await phone.request.get(`${base}/api/v1/findings/${findingId}`)).json()) as Finding;
      if (f.status === 'resolved') break;
      assert(Date.now() - closing < 15_000, 'the finding did not close within 15 s of the refund');
      await phone.waitForTimeout(500);
    }
    log(`the finding closed ${Date.now() - closing} ms after the refund was imported`);
    await phone.reload();
    await phone.locator(`[data-testid="money-settled-finding"][data-finding-id="${findingId}"]`).waitFor();
    assertEqual(await phone.locator(`[data-testid="money-open-finding"][data-finding-id="${findingId}"]`).count(), 0, 'the settled finding left the to-do list');
    await shot(phone, 'merchant-money-settled-phone-zh');
    await phone.goto(`${base}/findings/${findingId}`);
    await phone.locator('[data-testid="finding-detail"][data-status="resolved"]').waitFor();
    await noHorizontalOverflow(phone, '/findings/:id at 390 px');
    await shot(phone, 'merchant-finding-phone-zh');
    await switchLanguage(phone, 'en-US');
    await phone.goto(`${base}/money`);
    await phone.locator(`[data-testid="money-settled-finding"][data-finding-id="${findingId}"]`).waitFor();
    assert(((await phone.getByTestId('money-page').textContent()) ?? '').includes('Settled'), 'the money page in English');
    await shot(phone, 'merchant-money-phone-en');

    // 6. Staff: the findings inbox (filters in the URL) opens a duplicate charge as a finding.
    current = admin;
    await admin.goto(`${base}/findings?status=all&kind=dup`);
    await admin.locator(`[data-testid="finding-row"][data-finding-id="${findingId}"]`).click();
    await admin.waitForURL(`**/findings/${findingId}`);
    await admin.getByTestId('finding-payments').waitFor();
    await shot(admin, 'staff-finding-desktop-zh');
    await admin.goto(`${base}/findings?status=all`);
    await admin.getByTestId('finding-row').first().waitFor();
    await shot(admin, 'staff-findings-inbox-desktop-zh');
    noConsoleErrors('on the money pages');
  } catch (e) {
    if (current) await shot(current, 'failure').catch(() => undefined);
    throw e;
  } finally {
    await browser?.close();
    await demo.stop();
  }
}

await runE2e(run);
