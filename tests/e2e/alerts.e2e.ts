/**
 * End-to-end check of early warning in the console, in a real browser, on the demo fleet (whose simulated
 * faults raise alerts within a few minutes):
 * the inbox shows alerts (counts, grouping) → open one → acknowledge it with a comment, and the timeline shows it
 * → silence it (prefilled with its rule and scope), and the silence is listed → the rules page: edit a threshold,
 * preview it on the last 24 hours (hits and the per-hour chart), save it with a comment, see the new version →
 * notification settings: save preferences, create a webhook (its secret shown once) → the bell → switch to English
 * and see every page again → the inbox and an alert on a 390 px phone, without sideways scrolling.
 *
 *   npx tsx tests/e2e/alerts.e2e.ts
 *
 * Starts its own server (fresh data directory, free port, demo data) and Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
 * Needs a built console (npm run build -w @poscare/console). Fails on any assertion and any browser console error.
 * Screenshots of every page in zh-CN and en-US: test-results/e2e-alerts/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, assert, assertEqual, CHROMIUM, CHROMIUM_ARGS, freePort, log, ROOT, screenshotter, stopServer, text, waitForHealth, runE2e } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-alerts');
const shot = screenshotter(SHOTS);
/** The demo's faults need a few minutes of simulated telemetry before the first rules fire. */
const FIRST_ALERT_TIMEOUT_MS = 6 * 60_000;

interface AlertRowLite {
  id: string;
  status: string;
  name: string;
  ruleCode: string;
}
interface RuleLite {
  code: string;
  version: number;
  definition: { condition: { kind: string; metric?: string; op?: string; value?: number } };
}

async function switchLanguage(page: Page, lng: 'zh-CN' | 'en-US'): Promise<void> {
  await page.getByTestId(`lang-option-${lng}`).click();
  await page.waitForFunction((l) => document.documentElement.lang === l, lng);
}

async function noHorizontalOverflow(page: Page, where: string): Promise<void> {
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert(over <= 1, `${where}: the page is ${over}px wider than the screen`);
}

/** Wait until the demo's alert runtime has raised at least one open alert, and return the open ones. */
async function waitForAlerts(page: Page, base: string): Promise<AlertRowLite[]> {
  const deadline = Date.now() + FIRST_ALERT_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    const res = await page.request.get(`${base}/api/v1/alerts?status=open&suppressed=show&limit=100`);
    last = `HTTP ${res.status()}`;
    if (res.ok()) {
      const body = (await res.json()) as { items: AlertRowLite[]; total: number };
      if (body.items.some((a) => a.status === 'firing')) return body.items;
      last = `${body.total} open, none firing`;
    }
    await page.waitForTimeout(5_000);
  }
  throw new Error(`no firing alert after ${FIRST_ALERT_TIMEOUT_MS / 60_000} minutes of the demo fleet (${last})`);
}

/** The pages of early warning, shot in the current language. */
async function shootAll(page: Page, base: string, lng: string, alertId: string, ruleCode: string): Promise<void> {
  // Suppressed alerts too: the one silenced above may be the only one on a quiet fleet.
  await page.goto(`${base}/alerts?suppressed=show`);
  await page.getByTestId('alert-row').first().waitFor();
  await shot(page, `inbox-${lng}`);
  await page.getByTestId('group-site').click();
  await page.getByTestId('alert-group').first().waitFor();
  await shot(page, `inbox-by-site-${lng}`);
  await page.getByTestId('group-none').click();

  await page.goto(`${base}/alerts/${alertId}`);
  await page.getByTestId('page-alert-detail').waitFor();
  await page.getByTestId('alert-event').first().waitFor();
  await shot(page, `alert-${lng}`);

  await page.goto(`${base}/alerts/rules`);
  await page.getByTestId('rule-row').first().waitFor();
  await shot(page, `rules-${lng}`);
  await page.locator(`[data-testid="rule-edit"][data-code="${ruleCode}"]`).click();
  await page.getByTestId('rule-form').waitFor();
  const drawer = page.locator('.ant-drawer-content-wrapper');
  await shot(page, `rule-editor-${lng}`, drawer);
  await page.locator('.ant-drawer-body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await shot(page, `rule-editor-escalation-${lng}`, drawer);
  await page.getByTestId('rule-preview').click();
  await page.getByTestId('rule-preview-result').waitFor({ timeout: 90_000 });
  await page.locator('[data-testid="chart-rule-preview"] canvas').waitFor();
  await shot(page, `rule-preview-${lng}`, drawer);
  await page.getByRole('tab', { name: lng === 'zh-CN' ? '版本历史' : 'Versions' }).click();
  await page.locator('[data-testid="rule-versions"] .ant-table-row').first().waitFor();
  await page.getByTestId('rule-versions').waitFor();
  await shot(page, `rule-versions-${lng}`, drawer);
  await page.keyboard.press('Escape');

  await page.goto(`${base}/alerts/silences`);
  await page.getByTestId('silence-row').first().waitFor();
  await shot(page, `silences-${lng}`);
  await page.getByTestId('tab-maintenance').click();
  await shot(page, `maintenance-${lng}`);

  await page.goto(`${base}/settings/notifications`);
  await page.getByTestId('prefs-save').waitFor();
  await page.getByTestId('deliveries-table').waitFor();
  await shot(page, `notification-settings-${lng}`);
}

async function run(): Promise<void> {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'poscare-e2e-alerts-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let serverOutput = '';
  const server = spawn(process.execPath, ['apps/server/bin/poscare.mjs', 'start', '--demo'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, MQTT_PORT: '0', POSCARE_ADMIN_EMAIL: ADMIN_EMAIL, POSCARE_ADMIN_PASSWORD: ADMIN_PASSWORD, MFA_PLATFORM_ADMINS: 'optional' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (d: Buffer) => (serverOutput += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (serverOutput += d.toString()));

  let browser: Browser | undefined;
  let current: Page | undefined;
  const consoleErrors: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
  };
  const noConsoleErrors = (where: string) => assert(consoleErrors.length === 0, `browser console error(s) ${where}:\n  ${consoleErrors.join('\n  ')}`);

  try {
    log(`starting server on port ${port} (data in ${dataDir})`);
    await waitForHealth(base, server, () => serverOutput.slice(-4000));
    log('server is healthy');

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const ctx: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    ctx.setDefaultTimeout(20_000);
    const page = await ctx.newPage();
    current = page;
    watch(page);

    // 1. Sign in as the administrator (Chinese by default) and wait for the demo fleet's first alerts.
    await page.goto(`${base}/login`);
    await page.getByTestId('login-email').fill(ADMIN_EMAIL);
    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('page-overview').waitFor();
    log('administrator signed in; waiting for the demo fleet to raise alerts');
    const t0 = Date.now();
    const open = await waitForAlerts(page, base);
    log(`${open.length} open alert(s) after ${Math.round((Date.now() - t0) / 1000)} s: ${[...new Set(open.map((a) => a.ruleCode))].join(', ')}`);

    // 2. The inbox, from the menu: counts, rows, grouping by rule.
    await page.getByTestId('nav-alerts').click();
    await page.getByTestId('page-alerts').waitFor();
    await page.getByTestId('alert-row').first().waitFor();
    assertEqual(await text(page, 'page-title'), '告警', 'inbox title in Chinese');
    const firing = Number(await page.getByTestId('alert-count-firing').getAttribute('data-count'));
    assert(firing >= 1, `the firing counter shows ${firing}`);
    await shot(page, 'inbox-zh');
    await page.getByTestId('group-rule').click();
    await page.waitForURL(/group=rule/);
    await page.getByTestId('alert-group').first().waitFor();
    assert((await page.getByTestId('alert-group').count()) >= 1, 'rows grouped by rule');
    await shot(page, 'inbox-by-rule-zh');
    await page.getByTestId('group-none').click();
    log(`inbox: ${firing} firing`);

    // 3. Open a firing alert.
    // Rows re-sort as the list refreshes: pick one by its id, then click its name.
    const alertId = (await page.locator('[data-testid="alert-row"][data-status="firing"]').first().getAttribute('data-id')) ?? '';
    assert(alertId, 'a firing row carries its id');
    await page.locator(`[data-testid="alert-row"][data-id="${alertId}"] .alert-rule-name`).click();
    await page.waitForURL(new RegExp(`/alerts/${alertId}$`));
    await page.getByTestId('page-alert-detail').waitFor();
    await page.locator('[data-testid="alert-event"][data-type="fired"]').first().waitFor();
    await page.getByTestId('alert-members').waitFor();
    assert((await page.getByTestId('alert-member-link').count()) >= 1, 'the alert lists its terminals');
    assert(
      (await page.getByTestId('alert-view-ticket').count()) > 0 || (await page.getByTestId('alert-open-ticket').isEnabled()),
      'the alert offers "open ticket" (or links to its ticket)',
    );
    await shot(page, 'alert-zh');
    log(`alert ${alertId}: "${await text(page, 'page-title')}"`);

    // 4. Acknowledge it with a comment: the status changes and the timeline shows who and why.
    const comment = 'E2E：已联系门店，工程师下午上门';
    await page.getByTestId('alert-ack').click();
    await page.getByTestId('ack-comment').fill(comment);
    await page.getByTestId('ack-submit').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="page-alert-detail"]')?.getAttribute('data-status') === 'acknowledged');
    const ackEvent = page.locator('[data-testid="alert-event"][data-type="acknowledged"]').first();
    await ackEvent.waitFor();
    assert(((await ackEvent.textContent()) ?? '').includes('工程师下午上门'), 'the timeline shows the acknowledgement comment');
    await page.getByTestId('alert-acked').waitFor();
    await shot(page, 'alert-acknowledged-zh');
    log('acknowledged; the timeline shows it');

    // 5. Silence it: the form comes prefilled with the alert's rule.
    await page.getByTestId('alert-silence').click();
    await page.getByTestId('silence-form').waitFor();
    await page.getByTestId('silence-comment').fill('E2E：门店装修，本周闭店');
    await shot(page, 'silence-form-zh');
    await page.getByTestId('silence-submit').click();
    await page.getByTestId('silence-form').waitFor({ state: 'detached' });
    await page.goto(`${base}/alerts/silences`);
    await page.getByTestId('page-silences').waitFor();
    const silence = page.getByTestId('silence-row').first();
    await silence.waitFor();
    assert(((await silence.textContent()) ?? '').includes('门店装修'), 'the new silence is listed with its reason');
    await shot(page, 'silences-zh');
    log('silence created and listed');

    // 5b. A maintenance window for a site.
    await page.getByTestId('tab-maintenance').click();
    await page.getByTestId('maintenance-create').click();
    await page.getByTestId('maintenance-form').waitFor();
    await page.getByTestId('maintenance-site').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click();
    await page.getByTestId('maintenance-reason').fill('E2E：门店网络改造');
    await page.getByTestId('maintenance-submit').click();
    await page.getByTestId('maintenance-form').waitFor({ state: 'detached' });
    const maintenance = page.getByTestId('maintenance-row').first();
    await maintenance.waitFor();
    assert(((await maintenance.textContent()) ?? '').includes('门店网络改造'), 'the maintenance window is listed with its reason');
    await shot(page, 'maintenance-zh');
    log('maintenance window created and listed');

    // 6. Rules: edit a threshold, preview it on the last 24 hours, save it with a comment.
    await page.getByTestId('nav-alert-rules').click();
    await page.getByTestId('page-alert-rules').waitFor();
    await page.getByTestId('rule-row').first().waitFor();
    const rules = (await (await page.request.get(`${base}/api/v1/alert-rules`)).json()) as RuleLite[];
    const numeric = (r: RuleLite) => r.definition.condition.kind === 'threshold' && r.definition.condition.op !== '==' && r.definition.condition.op !== '!=';
    const rule = rules.find((r) => r.code === 'battery.low') ?? rules.find(numeric);
    assert(rule, `a threshold rule to edit among ${rules.map((r) => r.code).join(', ')}`);
    await shot(page, 'rules-zh');
    await page.locator(`[data-testid="rule-edit"][data-code="${rule.code}"]`).click();
    await page.getByTestId('rule-form').waitFor();
    await page.getByTestId('condition-threshold').waitFor();
    // A threshold nearly every terminal meets, at once, so the preview has hits to show…
    const valueInput = page.locator('[data-testid="condition-threshold"] input[data-testid="cond-value"]');
    const forInput = page.locator('[data-testid="condition-threshold"] input[data-testid="cond-for"]');
    await valueInput.fill('99');
    await forInput.fill('0');
    await forInput.blur();
    await page.waitForFunction(() => (document.querySelector('[data-testid="rule-summary"]')?.textContent ?? '').includes('99'));
    log(`rule ${rule.code}: trying "${await text(page, 'rule-summary')}"`);
    await shot(page, 'rule-editor-zh', page.locator('.ant-drawer-content-wrapper'));
    await page.getByTestId('rule-preview').click();
    await page.getByTestId('rule-preview-result').waitFor({ timeout: 90_000 });
    await page.locator('[data-testid="chart-rule-preview"] canvas').waitFor();
    const hits = Number(await page.getByTestId('preview-alerts').getAttribute('data-count'));
    log(`preview of the last 24 h: ${hits} alert(s)`);
    await shot(page, 'rule-preview-zh', page.locator('.ant-drawer-content-wrapper'));
    // …then the value actually saved: a little above the shipped one.
    await page.getByRole('tab', { name: '设置' }).click();
    const newValue = String((rule.definition.condition.value ?? 0) + 2);
    await valueInput.fill(newValue);
    await forInput.fill(String((rule.definition.condition as { forMinutes?: number }).forMinutes ?? 0));
    await forInput.blur();
    await page.waitForFunction((v) => (document.querySelector('[data-testid="rule-summary"]')?.textContent ?? '').includes(v), newValue);
    await page.getByTestId('rule-comment').fill('E2E：提高电量阈值');
    await page.getByTestId('rule-save').click();
    await page.getByTestId('rule-form').waitFor({ state: 'detached' });
    const saved = (await (await page.request.get(`${base}/api/v1/alert-rules/${rule.code}/versions`)).json()) as (RuleLite & { comment: string | null })[];
    assert(saved.some((v) => v.version > rule.version && v.comment === 'E2E：提高电量阈值'), `a new version with the comment (versions: ${saved.map((v) => v.version).join(', ')})`);
    log(`saved ${rule.code} as a new version`);

    // 7. Notification settings (from the user menu): preferences, and a webhook whose secret is shown once.
    // A click on the menu item while the menu is still sliding in can miss it: try again, opening the menu only if it is shut.
    for (let attempt = 1; ; attempt++) {
      if (!(await page.getByTestId('menu-notifications').isVisible())) await page.getByTestId('user-menu').click();
      await page.getByTestId('menu-notifications').click({ timeout: 5_000 }).catch(() => undefined);
      const opened = await page.getByTestId('page-notification-settings').waitFor({ timeout: 5_000 }).then(() => true, () => false);
      if (opened) break;
      if (attempt === 3) throw new Error('the notification settings page did not open from the user menu');
    }
    await page.getByTestId('prefs-save').click();
    await page.getByTestId('webhook-create').click();
    await page.getByTestId('webhook-name').fill('E2E 值班群');
    await page.getByTestId('webhook-url').fill('http://127.0.0.1:9/poscare-e2e');
    await page.getByTestId('webhook-submit').click();
    await page.getByTestId('webhook-secret').waitFor();
    const secret = await text(page, 'webhook-secret');
    assert(secret.length >= 16, `the webhook secret is shown in full once (got ${secret.length} characters)`);
    await shot(page, 'webhook-secret-zh');
    await page.getByTestId('webhook-secret-done').click();
    await page.getByTestId('webhook-test').first().click();
    await page.getByTestId('deliveries-table').waitFor();
    await shot(page, 'notification-settings-zh');
    log('preferences saved; webhook created and tested');

    // 8. The bell: unread notifications, one click opens the alert.
    await page.getByTestId('bell').click();
    await page.getByTestId('bell-panel').waitFor();
    await shot(page, 'bell-zh');
    const unread = Number(await page.getByTestId('bell').getAttribute('data-unread'));
    const withAlert = page.locator('[data-testid="bell-item"]:not([data-alert=""])').first();
    if (unread > 0 && (await withAlert.count()) > 0) {
      await withAlert.click();
      await page.getByTestId('page-alert-detail').waitFor();
      log(`bell: ${unread} unread; a click opened the alert`);
    } else {
      await page.keyboard.press('Escape');
      log(`bell: ${unread} unread`);
    }
    noConsoleErrors('in Chinese');

    // 9. Every page again, in Chinese for the remaining ones and then in English.
    await shootAll(page, base, 'zh-CN', alertId, rule.code);
    await switchLanguage(page, 'en-US');
    await page.goto(`${base}/alerts?suppressed=show`);
    await page.getByTestId('alert-row').first().waitFor();
    assertEqual(await text(page, 'page-title'), 'Alerts', 'inbox title in English');
    await shootAll(page, base, 'en-US', alertId, rule.code);
    noConsoleErrors('in English');
    log('every page shot in zh-CN and en-US');

    // 10. A 390 px phone: the inbox as cards and the alert page, no sideways scrolling, in both languages.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, storageState: await ctx.storageState() });
    phone.setDefaultTimeout(20_000);
    const mobile = await phone.newPage();
    current = mobile;
    watch(mobile);
    for (const lng of ['en-US', 'zh-CN'] as const) {
      await mobile.goto(`${base}/alerts?suppressed=show`);
      if (lng === 'zh-CN') await switchLanguage(mobile, 'zh-CN');
      await mobile.getByTestId('alert-row').first().waitFor();
      await noHorizontalOverflow(mobile, `inbox at 390 px (${lng})`);
      await shot(mobile, `inbox-390-${lng}`);
      await mobile.goto(`${base}/alerts/${alertId}`);
      await mobile.getByTestId('alert-event').first().waitFor();
      await noHorizontalOverflow(mobile, `alert page at 390 px (${lng})`);
      await shot(mobile, `alert-390-${lng}`);
    }
    noConsoleErrors('on the phone');
    log('phone layouts fit 390 px');
  } catch (e) {
    // What the page showed when the step failed, and what the browser said.
    await current?.screenshot({ path: path.join(SHOTS, 'failure.png'), fullPage: true }).catch(() => undefined);
    if (consoleErrors.length) log(`browser console:\n  ${consoleErrors.join('\n  ')}`);
    throw e;
  } finally {
    await browser?.close();
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await runE2e(run);
