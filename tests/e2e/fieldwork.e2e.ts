/**
 * End-to-end check of field service in a real browser, on a demo server:
 * (a) an agent opens a planned ticket and creates a work order from its "Work orders" card for the demo engineer, with parts from a depot
 * → (b) the engineer, on a 390 px phone: "my work orders", opens it, on the way, on site, ticks the checklist, records a chip reader
 * from the depot (stock goes down), takes a photo, writes notes, has the customer sign on the pad, completes it as fixed
 * → (c) the merchant sees "engineer on the way", "on site" and "completed" on the ticket timeline (and nothing internal)
 * → (d) the spare-parts page shows the stock, the low-stock highlight and the "used on site" movement, in Chinese and English.
 *
 *   npx tsx tests/e2e/fieldwork.e2e.ts
 *
 * Starts its own server (fresh data directory, free port, --demo) and Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
 * Needs a built console (npm run build -w @poscare/console). Fails on any assertion and any unexpected browser console error.
 * Screenshots: test-results/e2e-fieldwork/.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { assert, assertEqual, AssertionError, CHROMIUM, CHROMIUM_ARGS, log, ROOT, screenshotter, text, runE2e, signIn, switchLanguage, noHorizontalOverflow, pick, startDemoServer, consoleWatch } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-fieldwork');
const shot = screenshotter(SHOTS);
const DEMO_PASSWORD = 'PosCare-Demo-2026';
const AGENT = 'agent@demo.poscare';
const ENGINEER = 'engineer@demo.poscare';
const MERCHANT = 'merchant@demo.poscare';
const NOTES = 'E2E：读卡槽内有异物，已清理并更换读卡模块';
const SIGNER = '王店长';

/** A small real PNG (a grey square with a darker band): what a phone camera upload stands in for. */
function photoPng(w = 64, h = 48): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = table[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  const raw = Buffer.alloc((w + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[y * (w + 1) + 1 + x] = y > h / 3 && y < (2 * h) / 3 ? 70 : 190;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

async function waitStatus(page: Page, status: string): Promise<void> {
  await page.waitForFunction((s) => document.querySelector('[data-testid="page-work-order"]')?.getAttribute('data-status') === s, status, { timeout: 20_000 });
}

async function run(): Promise<void> {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const demo = await startDemoServer('fieldwork');
  const { base } = demo;
  let browser: Browser | undefined;
  let current: Page | undefined;
  const { consoleErrors, watch, noConsoleErrors } = consoleWatch();

  try {
    await demo.healthy();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

    // 0. The merchant's terminal, and a ticket the agent has planned as an on-site repair.
    const merchantCtx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    merchantCtx.setDefaultTimeout(20_000);
    const mp = await merchantCtx.newPage();
    current = mp;
    watch(mp);
    await signIn(mp, base, MERCHANT, DEMO_PASSWORD, 'page-overview');
    const termRes = await mp.request.get(`${base}/api/v1/terminals?limit=1`);
    const term = ((await termRes.json()) as { items: { id: string; serialNumber: string }[] }).items[0]!;
    assert(term, 'the demo merchant has a terminal');

    const agentCtx: BrowserContext = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    agentCtx.setDefaultTimeout(20_000);
    const page = await agentCtx.newPage();
    current = page;
    watch(page);
    await signIn(page, base, AGENT, DEMO_PASSWORD, 'page-overview');
    const created = await page.request.post(`${base}/api/v1/tickets`, { data: { terminalId: term.id, title: 'E2E：插卡无反应，挥卡正常', causeCode: 'hw.reader.chip' } });
    assert(created.status() === 201 || created.status() === 200, `ticket created (HTTP ${created.status()})`);
    const ticket = ((await created.json()) as { ticket: { id: string; number: string } }).ticket;
    for (const step of [
      { to: 'triaged', category: 'hardware' },
      { to: 'locating' },
      { to: 'planned', plan: { kind: 'onsite_repair', summary: 'E2E：上门更换 IC 卡读卡模块', estimatedMinutes: 60 } },
      { to: 'in_progress' },
    ]) {
      const r = await page.request.post(`${base}/api/v1/tickets/${ticket.id}/transition`, { data: step });
      assertEqual(r.status(), 200, `ticket → ${step.to}`);
    }
    const stockBefore = await page.request.get(`${base}/api/v1/stock?q=RDR-IC-01`);
    const readerRows = ((await stockBefore.json()) as { items: { depotCode: string; quantity: number }[] }).items;
    const before = readerRows.find((r) => r.depotCode === 'SH-PD')?.quantity ?? -1;
    assert(before > 0, `the demo depot SH-PD has chip readers (got ${before})`);
    log(`ticket ${ticket.number} planned as an on-site repair of ${term.serialNumber}; SH-PD holds ${before} chip readers`);

    // 1. The agent creates the work order from the ticket's card.
    await page.goto(`${base}/tickets/${ticket.id}`);
    await page.getByTestId('ticket-work-orders').waitFor();
    await page.getByTestId('wo-create').click();
    await page.getByTestId('wo-create-form').waitFor();
    await pick(page, 'wo-create-assignee', '李强');
    await pick(page, 'wo-create-depot', 'SH-PD');
    await shot(page, 'create-work-order-zh', page.locator('.ant-modal').filter({ has: page.getByTestId('wo-create-form') }));
    await page.getByTestId('wo-create-submit').click();
    await page.getByTestId('page-work-order').waitFor();
    await waitStatus(page, 'assigned');
    const woNumber = (await page.getByTestId('page-work-order').getAttribute('data-number')) ?? '';
    const woId = (await page.getByTestId('page-work-order').getAttribute('data-id')) ?? '';
    assert(/^W\d{6}$/.test(woNumber), `a work order number is shown (got "${woNumber}")`);
    assert((await page.getByTestId('wo-check').count()) >= 5, 'a checklist from the template');
    await page.getByTestId('wo-diagnosis').waitFor();
    await shot(page, 'work-order-agent-zh');
    await page.goto(`${base}/tickets/${ticket.id}`);
    await page.locator(`[data-testid="ticket-wo"][data-number="${woNumber}"]`).waitFor();
    await page.getByTestId('ticket-work-orders').scrollIntoViewIfNeeded();
    await shot(page, 'ticket-card-zh', page.getByTestId('ticket-work-orders'));
    noConsoleErrors('for the agent');
    log(`agent created ${woNumber} for the demo engineer`);

    // 2. The engineer on a phone.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    phone.setDefaultTimeout(20_000);
    const ep = await phone.newPage();
    current = ep;
    watch(ep);
    await signIn(ep, base, ENGINEER, DEMO_PASSWORD, 'page-overview');
    await ep.getByTestId('nav-toggle').click();
    await ep.getByTestId('nav-work-orders').click();
    await ep.getByTestId('page-work-orders').waitFor();
    const card = ep.locator(`[data-testid="wo-row"][data-number="${woNumber}"]`);
    await card.waitFor();
    assertEqual(await ep.locator('[data-testid="wo-filter-who"] .ant-segmented-item-selected').textContent(), '我的', '"mine" is the engineer\'s default');
    await noHorizontalOverflow(ep, 'work order list at 390 px');
    await shot(ep, 'my-work-orders-390-zh');
    await card.click();
    await ep.getByTestId('page-work-order').waitFor();
    await waitStatus(ep, 'assigned');
    assert((await ep.getByTestId('wo-map').getAttribute('href'))?.startsWith('https://uri.amap.com/'), 'the address links to a map');
    await noHorizontalOverflow(ep, 'work order at 390 px');
    await shot(ep, 'work-order-390-assigned-zh');

    await ep.getByTestId('wo-move-en_route').click();
    await waitStatus(ep, 'en_route');
    await ep.getByTestId('wo-move-on_site').click();
    await waitStatus(ep, 'on_site');
    // Checklist: every item, each tap a round trip.
    const items = await ep.getByTestId('wo-check').evaluateAll((els) => els.map((e) => e.getAttribute('data-item') ?? ''));
    for (const id of items) {
      const row = ep.locator(`[data-testid="wo-check"][data-item="${id}"]`);
      await row.locator('.ant-checkbox-input').click();
      await ep.waitForFunction((i) => document.querySelector(`[data-testid="wo-check"][data-item="${i}"]`)?.getAttribute('data-done') === 'true', id);
    }
    assertEqual(await text(ep, 'wo-checklist-progress'), `${items.length}/${items.length} 已完成`, 'the checklist is complete');
    // A chip reader from the depot.
    await ep.getByTestId('wo-use-parts').click();
    await ep.getByTestId('wo-parts-form').waitFor();
    await pick(ep, 'wo-parts-part', 'RDR-IC-01');
    await shot(ep, 'use-part-390-zh', ep.locator('.ant-modal').filter({ has: ep.getByTestId('wo-parts-form') }));
    await ep.getByTestId('wo-parts-submit').click();
    await ep.locator('[data-testid="wo-part"][data-sku="RDR-IC-01"]').waitFor();
    // A photo from the camera (file input with capture).
    assertEqual(await ep.getByTestId('wo-photo-input').getAttribute('accept'), 'image/*', 'the photo input takes images');
    assertEqual(await ep.getByTestId('wo-photo-input').getAttribute('capture'), 'environment', 'the photo input opens the camera');
    await ep.getByTestId('wo-photo-input').setInputFiles({ name: 'reader-slot.png', mimeType: 'image/png', buffer: photoPng() });
    await ep.getByTestId('wo-photo').first().waitFor();
    await ep.getByTestId('wo-notes-input').fill(NOTES);
    await ep.getByTestId('wo-notes-save').click();
    await ep.waitForFunction(() => (document.querySelector('[data-testid="wo-notes-save"]') as HTMLButtonElement | null)?.disabled === true);
    // Before the customer signs, completing is not offered: the bar says what is missing instead.
    await ep.getByTestId('wo-missing').waitFor();
    assert(await ep.getByTestId('wo-move-completed').isDisabled(), 'completing waits for the sign-off');
    // The customer signs with a finger on the pad.
    await ep.getByTestId('wo-signer').fill(SIGNER);
    const canvas = ep.getByTestId('signature-canvas');
    // Centre it: the status bar is fixed at the bottom of the phone screen.
    await canvas.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const box = (await canvas.boundingBox())!;
    await ep.mouse.move(box.x + 30, box.y + box.height * 0.6);
    await ep.mouse.down();
    for (let i = 1; i <= 24; i++) await ep.mouse.move(box.x + 30 + i * 11, box.y + box.height * (0.6 - 0.25 * Math.sin(i / 3)));
    await ep.mouse.up();
    await ep.waitForFunction(() => document.querySelector('[data-testid="signature-pad"]')?.getAttribute('data-empty') === 'false');
    await shot(ep, 'signature-390-zh', ep.getByTestId('wo-signoff'));
    await ep.getByTestId('wo-signoff-save').click();
    await ep.locator('[data-testid="wo-signoff"][data-signed="true"]').waitFor();
    await ep.getByTestId('wo-signature-img').waitFor();
    await noHorizontalOverflow(ep, 'work order on site at 390 px');
    await shot(ep, 'work-order-390-on-site-zh');
    // Complete, as fixed.
    await ep.getByTestId('wo-move-completed').click();
    await ep.getByTestId('wo-outcome-pick').waitFor();
    await ep.getByTestId('wo-outcome-fixed').click();
    await ep.getByTestId('wo-move-submit').click();
    await waitStatus(ep, 'completed');
    await ep.getByTestId('wo-completed').waitFor();
    assertEqual(await ep.getByTestId('wo-actions').count(), 0, 'no status buttons on a completed work order');
    await shot(ep, 'work-order-390-completed-zh');
    await switchLanguage(ep, 'en-US');
    await ep.waitForFunction(() => document.querySelector('[data-testid="wo-status"]')?.textContent === 'Completed');
    await noHorizontalOverflow(ep, 'work order in English at 390 px');
    await shot(ep, 'work-order-390-completed-en');
    noConsoleErrors('for the engineer');
    log(`engineer went on site, recorded a reader, a photo and the signature, and completed ${woNumber}`);

    // 3. The merchant follows the visit on the ticket timeline.
    current = mp;
    await mp.goto(`${base}/tickets/${ticket.id}`);
    await mp.getByTestId('page-ticket').waitFor();
    await mp.locator('[data-testid="ticket-event"][data-type="work_order"]').nth(3).waitFor();
    const events = await mp.locator('[data-testid="ticket-event"][data-type="work_order"]').allTextContents();
    assertEqual(events.length, 4, 'arranged, on the way, on site, completed');
    assert(events.every((e) => e.includes(woNumber)), 'each step names the work order');
    assertEqual(await mp.locator('[data-testid="ticket-event"][data-internal="true"]').count(), 0, 'nothing internal for the merchant');
    assert(!(await mp.getByTestId('ticket-timeline').textContent())?.includes('RDR-IC-01'), 'parts stay internal');
    assertEqual(await mp.getByTestId('ticket-work-orders').count(), 0, 'merchants do not see work orders');
    const status = await mp.getByTestId('page-ticket').getAttribute('data-status');
    assertEqual(status, 'in_progress', 'completing the visit does not resolve the ticket');
    await noHorizontalOverflow(mp, 'merchant ticket at 390 px');
    await mp.locator('[data-testid="ticket-event"][data-type="work_order"]').first().scrollIntoViewIfNeeded();
    await shot(mp, 'merchant-timeline-390-zh', mp.getByTestId('ticket-timeline'));
    noConsoleErrors('for the merchant');
    log('merchant sees the visit progress on the ticket, nothing internal');

    // 4. The spare-parts page: stock went down by one, the movement names the work order.
    current = page;
    const stockAfter = await page.request.get(`${base}/api/v1/stock?q=RDR-IC-01`);
    const after = ((await stockAfter.json()) as { items: { depotCode: string; quantity: number }[] }).items.find((r) => r.depotCode === 'SH-PD')?.quantity;
    assertEqual(after, before - 1, 'SH-PD has one chip reader less');
    await page.goto(`${base}/parts`);
    await page.getByTestId('page-parts').waitFor();
    await page.locator('[data-testid="stock-row"][data-low="true"]').first().waitFor();
    await shot(page, 'parts-stock-zh');
    await page.getByRole('tab', { name: '出入库记录' }).click();
    await page.getByTestId('movements-table').locator(`a:has-text("${woNumber}")`).first().waitFor();
    await shot(page, 'parts-movements-zh');
    await switchLanguage(page, 'en-US');
    await page.getByRole('tab', { name: 'Stock' }).click();
    await page.locator('[data-testid="stock-row"][data-low="true"]').first().waitFor();
    await page.getByTestId('stock-transfer').click();
    await page.locator('[data-testid="stock-form"][data-action="transfer"]').waitFor();
    await shot(page, 'parts-transfer-en', page.locator('.ant-modal').filter({ has: page.getByTestId('stock-form') }));
    await page.keyboard.press('Escape');
    await shot(page, 'parts-stock-en');
    await page.goto(`${base}/work-orders?status=all`);
    await page.locator(`[data-testid="wo-row"][data-number="${woNumber}"]`).waitFor();
    await shot(page, 'work-orders-en');
    await page.goto(`${base}/work-orders/${woId}`);
    await page.getByTestId('page-work-order').waitFor();
    await shot(page, 'work-order-desktop-en');
    noConsoleErrors('on the parts page');
    log('parts page shows the stock, low stock and the movement of the visit');

    // 5. A replacement: the engineer swaps the terminal on site; both custody chains show it.
    await switchLanguage(page, 'zh-CN');
    const t2 = await page.request.post(`${base}/api/v1/tickets`, { data: { terminalId: term.id, title: 'E2E：键盘进水，需换机', causeCode: 'hw.keypad' } });
    const ticket2 = ((await t2.json()) as { ticket: { id: string } }).ticket;
    for (const step of [{ to: 'triaged' }, { to: 'locating' }, { to: 'planned', plan: { kind: 'replacement', summary: 'E2E：换机' } }, { to: 'in_progress' }]) {
      assertEqual((await page.request.post(`${base}/api/v1/tickets/${ticket2.id}/transition`, { data: step })).status(), 200, `ticket 2 → ${step.to}`);
    }
    const engineerId = ((await (await ep.request.get(`${base}/api/v1/me`)).json()) as { id: string }).id;
    const depots = ((await (await page.request.get(`${base}/api/v1/depots`)).json()) as { items: { id: string; code: string }[] }).items;
    const wo2Res = await page.request.post(`${base}/api/v1/work-orders`, { data: { ticketId: ticket2.id, kind: 'replacement', assigneeId: engineerId, depotId: depots.find((d) => d.code === 'SH-PD')!.id } });
    assertEqual(wo2Res.status(), 201, 'replacement work order created');
    const wo2 = (await wo2Res.json()) as { id: string; number: string };
    assertEqual((await ep.request.post(`${base}/api/v1/work-orders/${wo2.id}/status`, { data: { to: 'on_site' } })).status(), 200, 'engineer on site');
    current = ep;
    await switchLanguage(ep, 'zh-CN');
    await ep.goto(`${base}/work-orders/${wo2.id}`);
    await waitStatus(ep, 'on_site');
    await ep.getByTestId('wo-swap').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await pick(ep, 'wo-swap-pick', 'SPARE-');
    await ep.getByTestId('wo-swap-do').click();
    await ep.locator('.ant-modal-confirm .ant-btn-primary').click();
    await ep.getByTestId('wo-swap-done').waitFor();
    const newSerial = (await text(ep, 'wo-swap-new')) ?? '';
    assert(newSerial.startsWith('SPARE-'), `the spare terminal replaced the old one (got ${newSerial})`);
    await noHorizontalOverflow(ep, 'swap at 390 px');
    await shot(ep, 'swap-390-zh', ep.getByTestId('wo-swap'));
    const oldState = ((await (await page.request.get(`${base}/api/v1/terminals/${term.id}`)).json()) as { lifecycleState: string }).lifecycleState;
    assertEqual(oldState, 'swapped_out', 'the old terminal is swapped out');
    current = page;
    await page.goto(`${base}/terminals/${term.id}`);
    await page.locator('[data-testid="custody-entry"][data-holder="engineer"]').waitFor();
    await page.getByTestId('custody-card').scrollIntoViewIfNeeded();
    await shot(page, 'custody-old-terminal-zh', page.getByTestId('custody-card'));
    const t2Detail = (await (await mp.request.get(`${base}/api/v1/tickets/${ticket2.id}`)).json()) as { serialNumber: string };
    assertEqual(t2Detail.serialNumber, newSerial, 'the ticket now follows the new terminal');
    noConsoleErrors('during the swap');
    log(`engineer swapped ${term.serialNumber} for ${newSerial} on ${wo2.number}; custody shows it`);
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
