/**
 * End-to-end check of diagnosis and the merchants' troubleshooter, in a real browser:
 * enroll a terminal over HTTPS → 30 minutes of telemetry, the printer out of paper for the last 15, and the event
 * "打印机缺纸" → (a) an administrator diagnoses the terminal with "不出小票": the top cause is 打印纸用尽 with its
 * evidence, in Chinese and in English → (b) the merchant's own user, on a phone-sized screen, walks the troubleshooter:
 * picks the terminal and "不出小票", gets the paper self-fix, says it did not help, and is handed to support with a
 * case number; "back" returns to the self-fix, and "yes" ends in "problem solved".
 *
 *   npx tsx tests/e2e/diagnosis.e2e.ts
 *
 * Starts its own server (fresh data directory, free port, no demo data) and Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
 * Needs a built console (npm run build -w @poscare/console). Fails on any assertion and any browser console error.
 * Screenshots of each step: test-results/e2e-diagnosis/.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, assert, assertEqual, AssertionError, CHROMIUM, CHROMIUM_ARGS, freePort, log, ROOT, screenshotter, stopServer, text, waitForHealth, runE2e } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-diagnosis');
const shot = screenshotter(SHOTS);
const MERCHANT_EMAIL = 'shop@e2e.test';
const MERCHANT_PASSWORD = 'E2e-Shop-Pass-1';
const PAPER_OUT = 'hw.printer.paper_out';

/** A healthy telemetry sample, except that the printer may be out of paper. */
function sample(minutesAgo: number, printer: 'ok' | 'paper_out') {
  return {
    v: 1,
    msgId: `e2e-${randomUUID()}`,
    at: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    kind: 'telemetry',
    data: {
      battery: { pct: 82, charging: false, healthPct: 95 },
      tempC: 38,
      network: { type: 'wifi', connected: true, signalDbm: -55, latencyMs: 60, lossPct: 0, dnsOk: true, hostReachable: true },
      printer: { status: printer },
      reader: { chip: { attempts: 6, failures: 0 }, contactless: { attempts: 8, failures: 0 }, magstripe: { attempts: 0, failures: 0 } },
      app: { version: '3.2.0', crashes: 0 },
      os: { version: 'Android 10' },
      keys: { loaded: true },
      session: { signedIn: true },
    },
  };
}

/** The ingest pipeline may be restarting under development: retry a 5xx a few times before failing. */
async function sendMessages(url: string, headers: Record<string, string>, messages: unknown[]): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ messages }) });
    if (res.status < 500 || attempt === 5) return res;
    log(`device send answered ${res.status}; retrying (${attempt}/5)`);
    await new Promise((r) => setTimeout(r, 3_000));
  }
}

async function signIn(page: Page, base: string, email: string, password: string, landing: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId(landing).waitFor();
}

async function switchLanguage(page: Page, lng: 'zh-CN' | 'en-US'): Promise<void> {
  await page.getByTestId(`lang-option-${lng}`).click();
  await page.waitForFunction((l) => document.documentElement.lang === l, lng);
}

/** No element may stick out of the viewport sideways (the phone layouts must not scroll horizontally). */
async function noHorizontalOverflow(page: Page, where: string): Promise<void> {
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert(over <= 1, `${where}: the page is ${over}px wider than the screen`);
}

async function run(): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'poscare-e2e-diagnosis-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let serverOutput = '';
  // No demo fleet: the diagnosis must see only this test's terminal.
  const server = spawn(process.execPath, ['apps/server/bin/poscare.mjs', 'start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, MQTT_PORT: '0', POSCARE_ADMIN_EMAIL: ADMIN_EMAIL, POSCARE_ADMIN_PASSWORD: ADMIN_PASSWORD, MFA_PLATFORM_ADMINS: 'optional' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (d: Buffer) => (serverOutput += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (serverOutput += d.toString()));

  let browser: Browser | undefined;
  const consoleErrors: string[] = [];
  /** Browser errors this test provokes on purpose (a remote command the server refuses), not counted as failures. */
  const expectedErrors: RegExp[] = [];
  const watch = (page: Page) => {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const line = `${msg.text()} (${msg.location().url})`;
      if (!expectedErrors.some((re) => re.test(line))) consoleErrors.push(line);
    });
    page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
  };
  const noConsoleErrors = (where: string) => assert(consoleErrors.length === 0, `browser console error(s) ${where}:\n  ${consoleErrors.join('\n  ')}`);

  try {
    log(`starting server on port ${port} (data in ${dataDir})`);
    await waitForHealth(base, server, () => serverOutput.slice(-4000));
    log('server is healthy');

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const adminCtx: BrowserContext = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    adminCtx.setDefaultTimeout(20_000);
    const page = await adminCtx.newPage();
    watch(page);

    // 1. Sign in as the administrator (Chinese by default).
    await signIn(page, base, ADMIN_EMAIL, ADMIN_PASSWORD, 'page-overview');
    log('administrator signed in');

    // 2. A merchant, a site, an active terminal enrolled over HTTPS, and the merchant's own user.
    const codeRes = await page.request.post(`${base}/api/v1/enrollment-codes`, { data: { label: 'e2e diagnosis', maxUses: 1 } });
    assertEqual(codeRes.status(), 201, 'create enrollment code');
    const { code } = (await codeRes.json()) as { code: string };
    const merchantRes = await page.request.post(`${base}/api/v1/merchants`, { data: { mid: '898310000000888', name: 'E2E 小超市' } });
    assertEqual(merchantRes.status(), 201, 'create merchant');
    const merchant = (await merchantRes.json()) as { id: string };
    const siteRes = await page.request.post(`${base}/api/v1/sites`, { data: { merchantId: merchant.id, code: 'E2E-DX-01', name: 'E2E 小超市 人民路店' } });
    assertEqual(siteRes.status(), 201, 'create site');
    const site = (await siteRes.json()) as { id: string };
    const termRes = await page.request.post(`${base}/api/v1/terminals`, {
      data: { serialNumber: 'E2E-DIAG-0001', vendor: 'PAX', model: 'A920', siteId: site.id, lifecycleState: 'active', connectivity: 'wifi' },
    });
    assertEqual(termRes.status(), 201, 'create an active terminal');
    const term = (await termRes.json()) as { id: string; serialNumber: string };
    const enrollRes = await fetch(`${base}/device/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, serialNumber: term.serialNumber }) });
    assertEqual(enrollRes.status, 200, 'enroll over HTTPS');
    const enrolled = (await enrollRes.json()) as { terminalId: string; secret: string };
    const auth = { authorization: `Bearer ${enrolled.terminalId}:${enrolled.secret}`, 'content-type': 'application/json' };
    // A second terminal of the same shop, quiet (no data yet): the troubleshooter has to ask before it can suggest.
    const quietRes = await page.request.post(`${base}/api/v1/terminals`, {
      data: { serialNumber: 'E2E-DIAG-0002', vendor: 'Newland', model: 'N910', siteId: site.id, lifecycleState: 'active', connectivity: 'cellular_4g' },
    });
    assertEqual(quietRes.status(), 201, 'create a second terminal');
    const userRes = await page.request.post(`${base}/api/v1/users`, {
      data: { email: MERCHANT_EMAIL, name: '王店长', role: 'merchant', merchantId: merchant.id, language: 'zh-CN', password: MERCHANT_PASSWORD },
    });
    assertEqual(userRes.status(), 201, 'create the merchant user');
    log(`enrolled ${term.serialNumber}; merchant user ${MERCHANT_EMAIL}`);

    // 3. Thirty one-minute samples; the printer runs out of paper halfway. The terminal says so too.
    const messages: unknown[] = [];
    for (let i = 0; i < 30; i++) messages.push(sample(29 - i, i >= 15 ? 'paper_out' : 'ok'));
    messages.push({ v: 1, msgId: `e2e-${randomUUID()}`, at: new Date().toISOString(), kind: 'event', data: { type: 'error', code: 'PRN_PAPER_OUT', message: '打印机缺纸' } });
    const sendRes = await sendMessages(`${base}/device/v1/messages`, auth, messages);
    assertEqual(sendRes.status, 200, 'send telemetry over HTTPS');
    const sent = (await sendRes.json()) as { accepted: number; rejected: unknown[] };
    assertEqual(sent.accepted, messages.length, `messages accepted (rejected: ${JSON.stringify(sent.rejected)})`);
    log(`sent ${sent.accepted} messages`);

    // 4. (a) The administrator diagnoses the terminal with what the merchant said.
    await page.goto(`${base}/terminals/${term.id}`);
    await page.getByTestId('page-terminal-detail').waitFor();
    await page.getByTestId('diagnosis-card').waitFor();
    await page.getByTestId('diagnosis-report').fill('不出小票');
    await page.getByTestId('diagnosis-run').click();
    await page.getByTestId('diagnosis-result').waitFor();
    const top = page.getByTestId('diagnosis-cause').first();
    assertEqual(await top.getAttribute('data-code'), PAPER_OUT, 'top cause');
    assertEqual(await text(page, 'diagnosis-cause-title'), '打印纸用尽', 'top cause title (Chinese)');
    assertEqual(await page.getByTestId('diagnosis-scope').getAttribute('data-scope'), 'terminal', 'scope');
    assertEqual(await text(page, 'diagnosis-scope'), '单台终端', 'scope in words');
    const topPct = Number(await top.getByTestId('diagnosis-confidence').getAttribute('data-pct'));
    assert(topPct >= 50, `top cause confidence is shown (${topPct}%)`);
    const evidence = top.getByTestId('diagnosis-evidence').locator('li');
    assert((await evidence.count()) >= 2, 'the top cause lists its evidence');
    const evidenceText = (await top.getByTestId('diagnosis-evidence').textContent()) ?? '';
    assert(evidenceText.includes('缺纸'), `evidence names the paper (got: ${evidenceText})`);
    assert(evidenceText.includes('遥测') && evidenceText.includes('描述'), 'evidence sources are shown in words');
    assert(((await top.getByTestId('diagnosis-actions').textContent()) ?? '').includes('商户自助'), 'actions carry their kind in words');
    await page.getByTestId('diagnosis-case-json').getByText('诊断用例 JSON').click();
    await page.locator('.diag-json-pre').getByText('poscare.diagnosis-case/v1').waitFor();
    await shot(page, 'diagnosis-zh');
    log('diagnosis (zh-CN): 打印纸用尽 on top, with evidence and actions');

    // The suggested remote command: only offered to roles that may send commands. Its answer is shown as it
    // comes — the status the server reports, or the server's own error message — never a made-up success.
    const me = (await (await page.request.get(`${base}/api/v1/me`)).json()) as { permissions: string[] };
    const runButton = top.getByTestId('diagnosis-run-command');
    if (me.permissions.includes('devices:command')) {
      assertEqual(await runButton.getAttribute('data-command'), 'print_test', 'suggested remote command');
      expectedErrors.push(/\/commands\b.*|status of 4\d\d/);
      await runButton.click();
      const status = top.getByTestId('diagnosis-command-status');
      const error = page.locator('.ant-message-error');
      await Promise.race([status.waitFor(), error.waitFor()]);
      if (await status.count()) log(`remote command sent: status ${await status.getAttribute('data-status')}`);
      else log(`remote command refused by the server: ${(await error.textContent())?.trim()}`);
      await shot(page, 'diagnosis-command');
      expectedErrors.pop();
    } else {
      assertEqual(await runButton.count(), 0, 'no run button for a role without devices:command');
      log('remote command button not offered: this role has no devices:command permission');
    }

    // The same diagnosis in English: the panel asks again in the new language.
    await switchLanguage(page, 'en-US');
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="diagnosis-cause-title"]');
      return !!el && !/[\u4e00-\u9fff]/.test(el.textContent ?? '');
    });
    assertEqual(await top.getAttribute('data-code'), PAPER_OUT, 'top cause in English');
    assertEqual(await text(page, 'diagnosis-scope'), 'This terminal only', 'scope in English');
    const enEvidence = (await top.getByTestId('diagnosis-evidence').textContent()) ?? '';
    assert(!/[\u4e00-\u9fff]/.test(enEvidence), `evidence in English (got: ${enEvidence})`);
    log(`diagnosis (en-US): "${await text(page, 'diagnosis-cause-title')}"`);
    await shot(page, 'diagnosis-en');
    await switchLanguage(page, 'zh-CN');
    noConsoleErrors('on the terminal page');

    // 5. (b) The merchant, on a phone.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    phone.setDefaultTimeout(20_000);
    const mp = await phone.newPage();
    watch(mp);
    await signIn(mp, base, MERCHANT_EMAIL, MERCHANT_PASSWORD, 'page-overview');
    await mp.getByTestId('nav-toggle').click();
    const firstItem = mp.locator('[data-testid="app-menu"] a[data-testid^="nav-"]').first();
    assertEqual(await firstItem.getAttribute('data-testid'), 'nav-troubleshoot', "the merchant's first menu item");
    await firstItem.click();
    await mp.getByTestId('page-troubleshoot').waitFor();

    // Step 1: the merchant's terminals (only theirs).
    await mp.getByTestId('ts-terminal').first().waitFor();
    assertEqual(await mp.getByTestId('ts-terminal').count(), 2, "terminals listed for the merchant (the shop's two)");
    const faulty = mp.locator(`[data-testid="ts-terminal"][data-serial="${term.serialNumber}"]`);
    assert(((await faulty.textContent()) ?? '').includes('人民路店'), 'the terminal shows its site');
    await noHorizontalOverflow(mp, 'troubleshooter, pick terminal');
    await shot(mp, 'ts-terminal');
    await faulty.click();
    await mp.waitForFunction((sn) => document.querySelector('[data-testid="ts-chosen-terminal"]')?.textContent === sn, term.serialNumber);

    // Step 2: the symptom.
    await mp.locator('[data-testid="ts-symptom"][data-symptom="no_receipt"]').click();
    assertEqual(await mp.locator('[data-testid="ts-symptom"][data-symptom="no_receipt"]').textContent(), '不出小票', 'symptom label');
    await noHorizontalOverflow(mp, 'troubleshooter, pick symptom');
    await shot(mp, 'ts-symptom');
    await mp.getByTestId('ts-start').click();

    // Step 3: answer until the paper self-fix, say it did not help, continue until support takes over.
    const stepKind = async () => {
      await mp.locator('[data-testid="ts-step"]').waitFor();
      return (await mp.getByTestId('ts-step').getAttribute('data-kind')) ?? '';
    };
    let sawSelfFix = false;
    for (let turn = 0; turn < 8; turn++) {
      const kind = await stepKind();
      if (kind === 'escalate' || kind === 'resolved') break;
      await noHorizontalOverflow(mp, `troubleshooter, ${kind}`);
      if (kind === 'question') {
        await shot(mp, 'ts-question');
        // "No" is the answer that fits an empty paper compartment.
        const before = await mp.getByTestId('ts-step').getAttribute('data-question');
        await mp.getByTestId('ts-option-no').click();
        await mp.waitForFunction((q) => document.querySelector('[data-testid="ts-step"]')?.getAttribute('data-question') !== q, before);
      } else if (kind === 'self_fix') {
        const cause = await mp.getByTestId('ts-step').getAttribute('data-cause');
        if (cause === PAPER_OUT) {
          sawSelfFix = true;
          assertEqual(await text(mp, 'ts-fix-title'), '打印纸用尽', 'self-fix title');
          assert((await mp.getByTestId('ts-fix-steps').locator('li').count()) >= 2, 'numbered self-fix steps');
          assertEqual(await text(mp, 'ts-option-no'), '否', 'the "no" button in Chinese');
        }
        await shot(mp, 'ts-self-fix');
        await mp.getByTestId('ts-option-no').click();
        await mp.waitForFunction((c) => document.querySelector('[data-testid="ts-step"]')?.getAttribute('data-cause') !== c, cause);
      } else {
        throw new AssertionError(`unexpected troubleshooter step "${kind}"`);
      }
    }
    assert(sawSelfFix, 'the paper self-fix was offered');
    assertEqual(await stepKind(), 'escalate', 'the troubleshooter hands over to support');
    assertEqual(await mp.getByTestId('ts-step').getAttribute('data-reason'), 'self_fix_failed', 'escalation reason');
    assert(/^DX-\d{12}-[0-9A-F]{8}$/.test(await text(mp, 'ts-case-id')), 'a short case number to quote');
    const answersText = (await mp.getByTestId('ts-summary-answers').textContent()) ?? '';
    assert(answersText.includes('打印纸用尽') && answersText.includes('没有解决'), `the summary lists the tried self-fix and its outcome (got: ${answersText})`);
    assert(((await mp.getByTestId('ts-summary-causes').textContent()) ?? '').includes('打印纸用尽'), 'the summary lists the diagnosed causes');
    const pathItems = mp.getByTestId('ts-path-item');
    assert((await pathItems.count()) >= 1, 'the path so far is shown');
    assertEqual(await pathItems.last().getAttribute('data-answer'), 'no', 'the last answer in the path');
    await noHorizontalOverflow(mp, 'troubleshooter, escalate');
    await shot(mp, 'ts-escalate');
    log('troubleshooter: paper self-fix offered, "no" → support takes over with a case number');

    // The same page in English.
    await switchLanguage(mp, 'en-US');
    await mp.waitForFunction(() => (document.querySelector('[data-testid="ts-escalate-title"]')?.textContent ?? '').includes('support'));
    await mp.waitForFunction(() => !/[\u4e00-\u9fff]/.test(document.querySelector('[data-testid="ts-summary-answers"]')?.textContent ?? ''));
    await noHorizontalOverflow(mp, 'troubleshooter, escalate (en-US)');
    await shot(mp, 'ts-escalate-en');
    // The narrowest phones in use are 360 px wide.
    await mp.setViewportSize({ width: 360, height: 780 });
    await noHorizontalOverflow(mp, 'troubleshooter, escalate (en-US) at 360 px');
    await shot(mp, 'ts-escalate-en-360');
    await mp.setViewportSize({ width: 390, height: 844 });
    await switchLanguage(mp, 'zh-CN');
    await mp.waitForFunction(() => /[\u4e00-\u9fff]/.test(document.querySelector('[data-testid="ts-escalate-title"]')?.textContent ?? ''));

    // "Back" removes the last answer: the self-fix again; this time it helped.
    await mp.getByTestId('ts-back').click();
    await mp.waitForFunction(() => document.querySelector('[data-testid="ts-step"]')?.getAttribute('data-kind') === 'self_fix');
    await mp.getByTestId('ts-option-yes').click();
    await mp.waitForFunction(() => document.querySelector('[data-testid="ts-step"]')?.getAttribute('data-kind') === 'resolved');
    assert((await text(mp, 'ts-step')).includes('问题已解决'), '"problem solved"');
    await shot(mp, 'ts-resolved');
    await mp.getByTestId('ts-restart-final').click();
    await mp.getByTestId('ts-pick-symptom').waitFor();
    log('troubleshooter: back → self-fix → yes → problem solved → start over (same terminal, pick the problem again)');

    // The quiet terminal knows nothing yet: the troubleshooter asks questions; the path keeps each answer.
    await mp.getByTestId('ts-change-terminal').click();
    await mp.locator('[data-testid="ts-terminal"][data-serial="E2E-DIAG-0002"]').click();
    await mp.locator('[data-testid="ts-symptom"][data-symptom="tap_fails"]').click();
    await mp.getByTestId('ts-text').fill('顾客说手机挥不了');
    await mp.getByTestId('ts-start').click();
    assertEqual(await stepKind(), 'question', 'a quiet terminal gets a question first');
    assertEqual(await text(mp, 'ts-option-yes'), '是', 'the "yes" button in Chinese');
    await noHorizontalOverflow(mp, 'troubleshooter, question');
    await shot(mp, 'ts-question');
    const asked: string[] = [];
    for (let turn = 0; turn < 5 && (await stepKind()) === 'question'; turn++) {
      const q = (await mp.getByTestId('ts-step').getAttribute('data-question')) ?? '';
      asked.push(q);
      await mp.getByTestId('ts-option-no').click();
      await mp.waitForFunction((id) => document.querySelector('[data-testid="ts-step"]')?.getAttribute('data-question') !== id, q);
    }
    assertEqual(await mp.getByTestId('ts-path-item').count(), asked.length, 'every answer stays in the path');
    await noHorizontalOverflow(mp, 'troubleshooter, after the questions');
    await shot(mp, 'ts-after-questions');
    await mp.getByTestId('ts-back').click();
    await mp.waitForFunction((id) => document.querySelector('[data-testid="ts-step"]')?.getAttribute('data-question') === id, asked.at(-1)!);
    assertEqual(await mp.getByTestId('ts-path-item').count(), asked.length - 1, '"back" removes the last answer from the path');
    log(`troubleshooter on a quiet terminal: asked ${asked.join(', ')}; "back" returns to the last question`);

    // The merchant may also diagnose their own terminal on its page; the panel fits a phone.
    await mp.goto(`${base}/terminals/${term.id}`);
    await mp.getByTestId('diagnosis-card').waitFor();
    await mp.getByTestId('diagnosis-report').fill('不出小票');
    await mp.getByTestId('diagnosis-run').click();
    await mp.getByTestId('diagnosis-result').waitFor();
    assertEqual(await mp.getByTestId('diagnosis-cause').first().getAttribute('data-code'), PAPER_OUT, "top cause on the merchant's phone");
    await noHorizontalOverflow(mp, 'terminal page with a diagnosis, phone');
    await shot(mp, 'diagnosis-phone', mp.getByTestId('diagnosis-card'));
    log('merchant diagnoses the terminal on a phone');

    await mp.waitForLoadState('networkidle');
    noConsoleErrors('at the end');
  } finally {
    if (browser) await browser.close().catch(() => undefined);
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await runE2e(run);
