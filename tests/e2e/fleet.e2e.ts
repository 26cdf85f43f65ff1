/**
 * End-to-end check of the device channel as the console shows it, in a real browser:
 * enroll a terminal over HTTPS → send telemetry with the printer out of paper → the fleet page counts one critical
 * terminal with the reason "printer fault" → the terminal page shows the live status critical, the printer reason
 * and drawn charts → revoke the terminal's credential in the UI → the terminal's next HTTPS send is refused (401).
 *
 *   npx tsx tests/e2e/fleet.e2e.ts
 *
 * Starts its own server (fresh data directory, free port, no demo data) and Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
 * Needs a built console (npm run build -w @poscare/console). Fails on any assertion and any browser console error.
 * Screenshots of each step: test-results/e2e-fleet/.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, assert, assertEqual, CHROMIUM, CHROMIUM_ARGS, freePort, log, ROOT, screenshotter, stopServer, text, waitForHealth, runE2e } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-fleet');
const shot = screenshotter(SHOTS);
/** A telemetry sample: healthy except for the printer, which is out of paper. */
function paperOut(minutesAgo: number, i: number) {
  return {
    v: 1,
    msgId: `e2e-${randomUUID()}`,
    at: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    kind: 'telemetry',
    data: {
      battery: { pct: 80 - i, charging: false, healthPct: 95 },
      tempC: 38 + i / 2,
      network: { type: 'wifi', connected: true, signalDbm: -55 - i, latencyMs: 60 + i * 5, lossPct: 0, dnsOk: true, hostReachable: true },
      printer: { status: 'paper_out' },
      reader: { chip: { attempts: 6, failures: 0 }, contactless: { attempts: 8, failures: 1 }, magstripe: { attempts: 0, failures: 0 } },
      app: { version: '3.2.0', crashes: 0 },
      os: { version: 'Android 10' },
      keys: { loaded: true },
      session: { signedIn: true },
    },
  };
}

async function run(): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'poscare-e2e-fleet-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let serverOutput = '';
  // No demo fleet: its simulated faults would change the counts this test checks.
  const server = spawn(process.execPath, ['apps/server/bin/poscare.mjs', 'start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, MQTT_PORT: '0', POSCARE_ADMIN_EMAIL: ADMIN_EMAIL, POSCARE_ADMIN_PASSWORD: ADMIN_PASSWORD, MFA_PLATFORM_ADMINS: 'optional' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (d: Buffer) => (serverOutput += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (serverOutput += d.toString()));

  let browser: Browser | undefined;
  const consoleErrors: string[] = [];
  try {
    log(`starting server on port ${port} (data in ${dataDir})`);
    await waitForHealth(base, server, () => serverOutput.slice(-4000));
    log('server is healthy');

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
    const noConsoleErrors = (where: string) => assert(consoleErrors.length === 0, `browser console error(s) ${where}:\n  ${consoleErrors.join('\n  ')}`);

    // 1. Sign in (the UI is Chinese by default).
    await page.goto(`${base}/login`);
    await page.getByTestId('login-email').fill(ADMIN_EMAIL);
    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('page-overview').waitFor();
    log('signed in');

    // 2. Create an active terminal and enroll it through the API, as an installer would.
    const codeRes = await page.request.post(`${base}/api/v1/enrollment-codes`, { data: { label: 'e2e fleet', maxUses: 1 } });
    assertEqual(codeRes.status(), 201, 'create enrollment code');
    const { code } = (await codeRes.json()) as { code: string };
    const merchant = (await (await page.request.post(`${base}/api/v1/merchants`, { data: { mid: '898310000000777', name: 'E2E 便利店' } })).json()) as { id: string };
    const site = (await (await page.request.post(`${base}/api/v1/sites`, { data: { merchantId: merchant.id, code: 'E2E-01', name: 'E2E 便利店 1号店' } })).json()) as { id: string };
    const termRes = await page.request.post(`${base}/api/v1/terminals`, {
      data: { serialNumber: 'E2E-FLEET-0001', vendor: 'PAX', model: 'A920', siteId: site.id, lifecycleState: 'active', connectivity: 'wifi' },
    });
    assertEqual(termRes.status(), 201, 'create an active terminal');
    const term = (await termRes.json()) as { id: string; serialNumber: string };
    const enrollRes = await fetch(`${base}/device/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, serialNumber: term.serialNumber }) });
    assertEqual(enrollRes.status, 200, 'enroll over HTTPS');
    const enrolled = (await enrollRes.json()) as { terminalId: string; secret: string };
    assertEqual(enrolled.terminalId, term.id, 'enrolled terminal id');
    const auth = { authorization: `Bearer ${enrolled.terminalId}:${enrolled.secret}`, 'content-type': 'application/json' };
    log(`enrolled ${term.serialNumber}`);

    // 3. Six minutes of telemetry, the printer out of paper, plus an event and a transaction.
    const messages: unknown[] = [5, 4, 3, 2, 1, 0].map((m, i) => paperOut(m, i));
    messages.push({ v: 1, msgId: `e2e-${randomUUID()}`, at: new Date().toISOString(), kind: 'event', data: { type: 'error', code: 'PRN_PAPER_OUT', message: 'Printer out of paper' } });
    messages.push({
      v: 1, msgId: `e2e-${randomUUID()}`, at: new Date().toISOString(), kind: 'txn',
      data: { entryMode: 'chip', outcome: 'approved', responseCode: '00', amountMinor: 5800, currency: 'CNY', cardToken: 'tok_ab12' },
    });
    const sendRes = await fetch(`${base}/device/v1/messages`, { method: 'POST', headers: auth, body: JSON.stringify({ messages }) });
    assertEqual(sendRes.status, 200, 'send telemetry over HTTPS');
    const sent = (await sendRes.json()) as { accepted: number; rejected: unknown[] };
    assertEqual(sent.accepted, messages.length, `messages accepted (rejected: ${JSON.stringify(sent.rejected)})`);
    log(`sent ${sent.accepted} messages`);

    // 4. The fleet page counts the terminal as critical, because of the printer.
    await page.getByTestId('nav-fleet').click();
    await page.getByTestId('page-fleet').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="fleet-card-critical"]')?.getAttribute('data-count') === '1');
    const reason = page.locator('[data-testid="fleet-reason-list"] a[data-reason="printer_fault"]');
    await reason.waitFor({ state: 'attached' });
    assertEqual(await reason.getAttribute('data-count'), '1', 'terminals with a printer fault');
    assert(((await reason.textContent()) ?? '').includes('打印机故障'), 'the reason is shown in words (Chinese)');
    await page.locator('[data-testid="chart-fleet-reasons"] canvas').waitFor();
    assert((await text(page, 'fleet-updated')).length > 0, '"updated at" is shown');
    await page.getByTestId('fleet-card-critical').click();
    await page.waitForURL(/status=critical/);
    await page.getByTestId('fleet-clear-filter').waitFor();
    await shot(page, 'fleet-critical');
    // The count is a link to exactly the terminals it counts, with their live status.
    await page.getByTestId('fleet-show-terminals').click();
    await page.waitForURL(/\/terminals\?.*status=critical/);
    await page.locator('[data-testid="terminal-status"][data-status="critical"]').first().waitFor();
    assertEqual(await page.locator('[data-testid="terminal-status"]').count(), 1, 'the terminal list shows exactly the critical terminal');
    await shot(page, 'terminals-critical');
    await page.goBack();
    log('fleet page: 1 critical, reason printer_fault');

    // 5. The terminal page: live status critical with the printer reason, charts drawn, events and transactions.
    await page.goto(`${base}/terminals/${term.id}`);
    await page.getByTestId('page-terminal-detail').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="live-card"]')?.getAttribute('data-status') === 'critical');
    assertEqual(await page.getByTestId('fleet-status-tag').first().getAttribute('data-status'), 'critical', 'live status tag');
    await page.locator('[data-testid="health-reason"][data-reason="printer_fault"]').waitFor();
    assertEqual(await page.locator('[data-testid="live-printer"] [data-status]').getAttribute('data-status'), 'paper_out', 'printer reading');
    await page.locator('[data-testid="chart-battery"] canvas').waitFor();
    assert((await page.locator('[data-testid="telemetry-charts"] canvas').count()) >= 5, 'five trend charts drawn');
    await page.locator('[data-testid="events-table"]').getByText('PRN_PAPER_OUT').waitFor();
    await page.getByTestId('tab-transactions').click();
    await page.locator('[data-testid="txns-table"]').getByText('tok_ab12').waitFor();
    await shot(page, 'terminal-live');
    log('terminal page: live critical, printer fault, charts drawn, event and transaction listed');
    noConsoleErrors('before revoking');

    // 6. Revoke the credential in the UI (with confirmation); the terminal's next send is refused.
    assertEqual(await page.getByTestId('credential-card').getAttribute('data-state'), 'enrolled', 'credential before revoking');
    await page.getByTestId('credential-revoke').click();
    await page.getByTestId('credential-revoke-confirm').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="credential-card"]')?.getAttribute('data-state') === 'revoked');
    await shot(page, 'credential-revoked');
    const after = await fetch(`${base}/device/v1/messages`, { method: 'POST', headers: auth, body: JSON.stringify({ messages: [paperOut(0, 6)] }) });
    assertEqual(after.status, 401, 'HTTPS send after the credential was revoked');
    log('credential revoked in the UI; the next send got 401');

    // 7. The refused send shows up in the rejection log.
    await page.getByTestId('nav-rejections').click();
    await page.getByTestId('page-rejections').waitFor();
    await page.locator('[data-testid="rejection-reason"][data-reason="revoked"]').first().waitFor();
    await shot(page, 'rejections');
    log('rejection log lists the revoked send');

    await page.waitForLoadState('networkidle');
    noConsoleErrors('at the end');
  } finally {
    if (browser) await browser.close().catch(() => undefined);
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await runE2e(run);
