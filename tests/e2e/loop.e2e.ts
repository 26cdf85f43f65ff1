/**
 * The whole service loop in a real browser, on a demo server, from the first signal to a rated fix:
 * a terminal's chip reader starts failing (its own telemetry over HTTPS) → PosCare raises an alert →
 * the agent opens a ticket from the alert page, triages, locates and plans an on-site repair (the merchant
 * is told the plan and the expected time) → creates a work order for an engineer → the engineer, on a
 * phone, goes on site, ticks the checklist, gets the customer's signature and completes it → the agent
 * moves the ticket to verifying → the repaired terminal reads cards again and the verification passes
 * from its own signals → resolved without an override → the merchant, on a phone, sees the progress and
 * rates the service.
 *
 *   npx tsx tests/e2e/loop.e2e.ts
 *
 * Starts its own server (fresh data directory, free port, --demo) and Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
 * Needs a built console (npm run build -w @poscare/console). Fails on any assertion and any unexpected browser console error.
 * Screenshots: test-results/e2e-loop/.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, assert, assertEqual, CHROMIUM, CHROMIUM_ARGS, log, ROOT, screenshotter, text, runE2e, signIn, noHorizontalOverflow, startDemoServer, consoleWatch } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-loop');
const shot = screenshotter(SHOTS);
const PASSWORD = 'E2e-Loop-Pass-1';
const MERCHANT_EMAIL = 'shop@e2e-loop.test';
const AGENT_EMAIL = 'agent@e2e-loop.test';
const ENGINEER_EMAIL = 'engineer@e2e-loop.test';
const ENGINEER_NAME = 'E2E 王工';
const SIGNER = '陈店长';

/** One telemetry sample; `chipFailures` of 12 chip reads failed in it. */
function sample(at: Date, chipFailures: number) {
  return {
    v: 1,
    msgId: `e2e-loop-${randomUUID()}`,
    at: at.toISOString(),
    kind: 'telemetry',
    data: {
      battery: { pct: 80, charging: true, healthPct: 96 },
      tempC: 36,
      network: { type: 'wifi', connected: true, signalDbm: -52, latencyMs: 45, lossPct: 0, dnsOk: true, hostReachable: true },
      printer: { status: 'ok' },
      reader: { chip: { attempts: 12, failures: chipFailures }, contactless: { attempts: 10, failures: 0 }, magstripe: { attempts: 0, failures: 0 } },
      app: { version: '3.2.0', crashes: 0 },
      os: { version: 'Android 10' },
      keys: { loaded: true },
      session: { signedIn: true },
    },
  };
}

/** Picks an option in the transition dialog's selects (one quick click: the shared retrying `pick` re-opens a list that is closing). */
async function pick(page: Page, testId: string, option: string): Promise<void> {
  await page.getByTestId(testId).click();
  const item = page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: option }).first();
  await item.waitFor();
  await item.click();
}

async function waitStatus(page: Page, testId: string, status: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction(([id, s]) => document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-status') === s, [testId, status] as const, { timeout });
}

async function move(page: Page, to: string, fill?: () => Promise<void>): Promise<void> {
  await page.getByTestId(`ticket-move-${to}`).click();
  await page.locator(`[data-testid="transition-form"][data-to="${to}"]`).waitFor();
  if (fill) await fill();
  await submitTransition(page, to);
}

/** Submits the open transition dialog; a click swallowed while the dialog was still opening (busy machine) is repeated once. */
async function submitTransition(page: Page, to: string): Promise<void> {
  await page.getByTestId('transition-submit').click();
  const moved = await waitStatus(page, 'page-ticket', to, 10_000).then(() => true, () => false);
  if (moved) return;
  if (await page.locator(`[data-testid="transition-form"][data-to="${to}"]`).isVisible()) await page.getByTestId('transition-submit').click();
  await waitStatus(page, 'page-ticket', to);
}

async function run(): Promise<void> {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const demo = await startDemoServer('loop');
  const { base } = demo;
  let browser: Browser | undefined;
  let current: Page | undefined;
  const { consoleErrors, watch, noConsoleErrors } = consoleWatch();

  try {
    await demo.healthy();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

    // 0. A shop with one enrolled terminal, its merchant user, an agent and a field engineer.
    const adminCtx: BrowserContext = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    adminCtx.setDefaultTimeout(30_000);
    const admin = await adminCtx.newPage();
    current = admin;
    watch(admin);
    await signIn(admin, base, ADMIN_EMAIL, ADMIN_PASSWORD, 'page-overview');
    const post = async (url: string, data: unknown, what: string) => {
      const res = await admin.request.post(`${base}/api/v1${url}`, { data });
      assertEqual(res.status(), 201, what);
      return (await res.json()) as Record<string, string>;
    };
    const { code } = await post('/enrollment-codes', { label: 'e2e loop', maxUses: 1 }, 'create enrollment code');
    const merchant = await post('/merchants', { mid: '898310000000888', name: 'E2E 闭环便利店' }, 'create merchant');
    const site = await post('/sites', { merchantId: merchant.id, code: 'E2E-LOOP-01', name: 'E2E 闭环便利店 南京路店', address: '上海市黄浦区南京东路 100 号', region: '上海' }, 'create site');
    const term = await post('/terminals', { serialNumber: 'E2E-LOOP-0001', vendor: 'PAX', model: 'A920', siteId: site.id, lifecycleState: 'active', connectivity: 'wifi' }, 'create terminal');
    const enrollRes = await fetch(`${base}/device/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, serialNumber: term.serialNumber }) });
    assertEqual(enrollRes.status, 200, 'enroll over HTTPS');
    const enrolled = (await enrollRes.json()) as { terminalId: string; secret: string };
    const device = { authorization: `Bearer ${enrolled.terminalId}:${enrolled.secret}`, 'content-type': 'application/json' };
    const sendTelemetry = async (messages: unknown[]) => {
      for (let attempt = 1; ; attempt++) {
        const res = await fetch(`${base}/device/v1/messages`, { method: 'POST', headers: device, body: JSON.stringify({ messages }) });
        if (res.status === 200) return;
        assert(attempt < 5, `send telemetry: HTTP ${res.status}`);
        await new Promise((r) => setTimeout(r, 3_000));
      }
    };
    await post('/users', { email: MERCHANT_EMAIL, name: '陈店长', role: 'merchant', merchantId: merchant.id, language: 'zh-CN', password: PASSWORD }, 'create merchant user');
    await post('/users', { email: AGENT_EMAIL, name: 'E2E 客服小周', role: 'agent', language: 'zh-CN', password: PASSWORD }, 'create agent');
    await post('/users', { email: ENGINEER_EMAIL, name: ENGINEER_NAME, role: 'engineer', language: 'zh-CN', password: PASSWORD }, 'create engineer');

    // 1. The fault: half of the chip reads fail. PosCare raises an alert on its own.
    const now = Date.now();
    await sendTelemetry([sample(new Date(now - 120_000), 6), sample(new Date(now - 60_000), 6), sample(new Date(now - 5_000), 7)]);
    let alertId = '';
    for (let i = 0; i < 60 && !alertId; i++) {
      const res = await admin.request.get(`${base}/api/v1/alerts?terminalId=${term.id}&status=all`);
      const items = ((await res.json()) as { items: { id: string; ruleCode: string }[] }).items;
      alertId = items.find((a) => a.ruleCode === 'reader.chip.failing')?.id ?? '';
      if (!alertId) await new Promise((r) => setTimeout(r, 1_000));
    }
    assert(alertId, 'the failing chip reader raised a "reader.chip.failing" alert within 60 s');
    log(`alert ${alertId} fired for ${term.serialNumber}`);

    // 2. The agent opens a ticket from the alert page and drives it to a plan.
    const agentCtx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    agentCtx.setDefaultTimeout(30_000);
    const page = await agentCtx.newPage();
    current = page;
    watch(page);
    await signIn(page, base, AGENT_EMAIL, PASSWORD, 'page-overview');
    await page.goto(`${base}/alerts/${alertId}`);
    await page.getByTestId('page-alert-detail').waitFor();
    await shot(page, 'alert-zh');
    await page.getByTestId('alert-open-ticket').click();
    await page.getByTestId('page-ticket').waitFor();
    const ticketId = (await page.getByTestId('page-ticket').getAttribute('data-id')) ?? page.url().split('/').pop()!;
    await waitStatus(page, 'page-ticket', 'new');
    assert(await page.locator('a[href$="/alerts/' + alertId + '"]').count(), 'the ticket links back to its alert');
    await page.getByTestId('ticket-diagnosis').waitFor();
    await page.getByTestId('ticket-assign-me').click();
    await page.locator('[data-testid="ticket-event"][data-type="assigned"]').first().waitFor();
    await move(page, 'triaged', async () => {
      await pick(page, 'transition-category', '硬件');
      await pick(page, 'transition-priority', 'P2');
    });
    await move(page, 'locating');
    await page.getByTestId('ticket-similar').waitFor();
    await shot(page, 'ticket-locating-zh');
    await move(page, 'planned', async () => {
      await pick(page, 'transition-plan-kind', '上门维修');
      await page.getByTestId('transition-plan-summary').fill('E2E：工程师上门更换芯片读卡模块');
    });
    assert((await text(page, 'ticket-progress-text')).startsWith('处理方案已确定：工程师上门维修。'), 'the banner shows what the merchant is told about the plan');
    await move(page, 'in_progress');

    // 3. A work order for the engineer, from the ticket's card.
    await page.getByTestId('ticket-work-orders').waitFor();
    await page.getByTestId('wo-create').click();
    await page.getByTestId('wo-create-form').waitFor();
    await pick(page, 'wo-create-assignee', ENGINEER_NAME);
    await page.getByTestId('wo-create-submit').click();
    await page.getByTestId('page-work-order').waitFor();
    const woId = (await page.getByTestId('page-work-order').getAttribute('data-id')) ?? '';
    const woNumber = (await page.getByTestId('page-work-order').getAttribute('data-number')) ?? '';
    assert(/^W\d+/.test(woNumber), `a work order number (got "${woNumber}")`);
    log(`work order ${woNumber} for ${ENGINEER_NAME}`);
    noConsoleErrors('while the agent planned the fix');

    // 4. The engineer, on a phone: on the way, on site, checklist, signature, completed.
    const phoneOpts = { viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
    const engCtx = await browser.newContext(phoneOpts);
    engCtx.setDefaultTimeout(30_000);
    const ep = await engCtx.newPage();
    current = ep;
    watch(ep);
    await signIn(ep, base, ENGINEER_EMAIL, PASSWORD, 'page-overview');
    await ep.goto(`${base}/work-orders/${woId}`);
    await ep.getByTestId('page-work-order').waitFor();
    await ep.getByTestId('wo-move-en_route').click();
    await waitStatus(ep, 'page-work-order', 'en_route');
    await ep.getByTestId('wo-move-on_site').click();
    await waitStatus(ep, 'page-work-order', 'on_site');
    for (const id of await ep.getByTestId('wo-check').evaluateAll((els) => els.map((e) => e.getAttribute('data-item') ?? ''))) {
      await ep.locator(`[data-testid="wo-check"][data-item="${id}"] .ant-checkbox-input`).click();
      await ep.waitForFunction((i) => document.querySelector(`[data-testid="wo-check"][data-item="${i}"]`)?.getAttribute('data-done') === 'true', id);
    }
    await ep.getByTestId('wo-signer').fill(SIGNER);
    const canvas = ep.getByTestId('signature-canvas');
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    await ep.mouse.move(box.x + 30, box.y + box.height * 0.6);
    await ep.mouse.down();
    for (let i = 1; i <= 20; i++) await ep.mouse.move(box.x + 30 + i * 12, box.y + box.height * (0.6 - 0.25 * Math.sin(i / 3)));
    await ep.mouse.up();
    await ep.getByTestId('wo-signoff-save').click();
    await ep.locator('[data-testid="wo-signoff"][data-signed="true"]').waitFor();
    await ep.getByTestId('wo-move-completed').click();
    await ep.getByTestId('wo-outcome-pick').waitFor();
    await ep.getByTestId('wo-outcome-fixed').click();
    await ep.getByTestId('wo-move-submit').click();
    await ep.getByTestId('wo-completed').waitFor();
    await noHorizontalOverflow(ep, 'completed work order at 390 px');
    await shot(ep, 'work-order-completed-390-zh');
    noConsoleErrors('while the engineer worked the order');

    // 5. Verification from the terminal's own signals: the repaired reader reads every card.
    current = page;
    await page.goto(`${base}/tickets/${ticketId}`);
    await page.getByTestId('page-ticket').waitFor();
    await move(page, 'verifying');
    await sendTelemetry([sample(new Date(), 0), sample(new Date(Date.now() + 1_000), 0)]);
    await page.waitForFunction(() => document.querySelector('[data-testid="ticket-verification-status"]')?.getAttribute('data-status') === 'passed', null, { timeout: 60_000 });
    await shot(page, 'verification-passed-zh');
    await page.getByTestId('ticket-move-resolved').click();
    await page.locator('[data-testid="transition-form"][data-to="resolved"]').waitFor();
    await submitTransition(page, 'resolved');
    assertEqual(await page.getByTestId('transition-verify-failed').count(), 0, 'resolved on the verification, no override');
    noConsoleErrors('while the agent verified and resolved');

    // 6. The merchant, on a phone: was told each step, sees the progress and rates the service.
    const mCtx = await browser.newContext(phoneOpts);
    mCtx.setDefaultTimeout(30_000);
    const mp = await mCtx.newPage();
    current = mp;
    watch(mp);
    await signIn(mp, base, MERCHANT_EMAIL, PASSWORD, 'page-overview');
    const inbox = await mp.request.get(`${base}/api/v1/notifications?limit=100`);
    const told = ((await inbox.json()) as { items: { ticketId: string | null; body: string }[] }).items.filter((n) => n.ticketId === ticketId).map((n) => n.body);
    assert(told.some((b) => b.startsWith('处理方案已确定：工程师上门维修')), `the merchant was told the plan (got ${JSON.stringify(told)})`);
    assert(told.includes('问题已解决。请在 7 天内为本次服务评分。'), 'the merchant was told it is resolved and asked to rate');
    await mp.goto(`${base}/tickets/${ticketId}`);
    await mp.getByTestId('page-ticket').waitFor();
    assertEqual(await text(mp, 'ticket-progress-text'), '问题已解决。请在 7 天内为本次服务评分。', 'the progress banner');
    assertEqual(await mp.locator('[data-testid="ticket-event"][data-internal="true"]').count(), 0, 'nothing internal for the merchant');
    assert((await mp.locator('[data-testid="ticket-event"][data-type="work_order"]').count()) >= 2, 'the engineer visit is on the merchant timeline');
    const card = mp.locator('[data-testid="rating-card"][data-state="open"]');
    await card.waitFor();
    await mp.locator('[data-testid="rating-stars"] .ant-rate-star').nth(4).click();
    await mp.getByTestId('rating-comment').fill('工程师很快就修好了');
    await mp.getByTestId('rating-submit').click();
    await mp.locator('[data-testid="rating-card"][data-state="rated"]').waitFor();
    await mp.waitForFunction(() => document.querySelector('[data-testid="ticket-progress-text"]')?.textContent === '问题已解决，感谢您对本次服务的评价。');
    await noHorizontalOverflow(mp, 'rated ticket at 390 px');
    await shot(mp, 'merchant-rated-390-zh');
    noConsoleErrors('while the merchant rated');
    log('fault → alert → ticket → plan → work order → verification → resolved → rating: done');
  } catch (e) {
    if (current) await shot(current, 'failure').catch(() => undefined);
    if (e instanceof Error) e.message += `\n--- server output (last 3000 chars) ---\n${demo.output().slice(-3000)}`;
    throw e;
  } finally {
    await browser?.close();
    await demo.stop();
  }
}

await runE2e(run);
