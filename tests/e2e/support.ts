/**
 * What the browser end-to-end tests share: starting a PosCare server on a free port, Chromium's
 * settings, assertions, and step screenshots.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
export const ADMIN_EMAIL = 'admin@e2e.test';
export const ADMIN_PASSWORD = 'E2e-Admin-Pass-1';
const STARTUP_TIMEOUT_MS = 240_000; // the first start may build the console

export class AssertionError extends Error {}
export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new AssertionError(message);
}
export function assertEqual<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected) throw new AssertionError(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export function log(msg: string): void {
  console.log(`[e2e] ${msg}`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForHealth(base: string, server: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited with code ${server.exitCode} before it was healthy:\n${output()}`);
    try {
      const res = await fetch(`${base}/api/v1/health`);
      // With --demo the server answers at once and loads the demo data behind; tests start on the whole demo.
      if (res.ok && ((await res.json()) as { demo?: { ready: boolean } }).demo?.ready !== false) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`server not healthy after ${STARTUP_TIMEOUT_MS / 1000}s:\n${output()}`);
}

export async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Numbered full-page screenshots into one folder; with `element`, a capture of that element only. */
export function screenshotter(dir: string): (page: Page, name: string, element?: Locator) => Promise<void> {
  let step = 0;
  return async function shot(page, name, element) {
  step += 1;
  await page.waitForTimeout(300);
  const file = path.join(dir, `${String(step).padStart(2, '0')}-${name}.png`);
  if (element) {
    await element.screenshot({ path: file });
    return;
  }
  // Full-page captures of a scrolled page draw the sticky header mid-page; capture from the top.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
  };
}

export async function text(page: Page, testId: string): Promise<string> {
  return ((await page.getByTestId(testId).first().textContent()) ?? '').trim();
}

/** Runs one e2e scenario and reports it in the closing line the test runner reads; exits with its result. */
export async function runE2e(scenario: () => Promise<void>): Promise<never> {
  try {
    await scenario();
    console.log('e2e: 1 passed, 0 failed');
    process.exit(0);
  } catch (e) {
    console.error(`[e2e] FAILED: ${e instanceof Error ? e.message : String(e)}`);
    if (!(e instanceof AssertionError) && e instanceof Error && e.stack) console.error(e.stack);
    console.log('e2e: 0 passed, 1 failed');
    process.exit(1);
  }
}

/** Signs in through the login page and waits for `landing` (a test id), or for the app's menu when none is given. */
export async function signIn(page: Page, base: string, email: string, password: string, landing?: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  if (landing) await page.getByTestId(landing).waitFor();
  else await page.getByTestId('app-menu').or(page.getByTestId('nav-toggle')).first().waitFor();
}

export async function switchLanguage(page: Page, lng: 'zh-CN' | 'en-US'): Promise<void> {
  await page.getByTestId(`lang-option-${lng}`).click();
  await page.waitForFunction((l) => document.documentElement.lang === l, lng);
}

export async function noHorizontalOverflow(page: Page, where: string): Promise<void> {
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert(over <= 1, `${where}: the page is ${over}px wider than the screen`);
}

/** Picks an option of an antd Select by its visible text (again when the list re-rendered under the click). */
export async function pick(page: Page, testId: string, option: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.getByTestId(testId).click();
    const item = page.locator('.ant-select-dropdown:visible .ant-select-item-option:not(.ant-select-item-option-disabled)').filter({ hasText: option }).first();
    // A list opened while its dialog still zooms in may close under the click: open it again.
    const clicked = await item
      .waitFor({ timeout: 10_000 })
      .then(() => item.click({ timeout: 5_000 }))
      .then(() => true)
      .catch(() => false);
    if (!clicked) {
      if (attempt === 5) throw new AssertionError(`could not pick "${option}" in ${testId}: the list closed under the click`);
      await page.waitForTimeout(300);
      continue;
    }
    const chosen = await page
      .waitForFunction(([id, text]) => (document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '').includes(text), [testId, option] as const, { timeout: 3_000 })
      .then(() => true)
      .catch(() => false);
    if (chosen) return;
    if (attempt >= 5) throw new AssertionError(`could not pick "${option}" in ${testId}`);
  }
}

export interface DemoServer {
  base: string;
  dataDir: string;
  /** Everything the server printed so far. */
  output(): string;
  /** Waits until /api/v1/health answers (fails with the server's output when it exits or times out). */
  healthy(): Promise<void>;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * A `poscare start --demo` of its own: fresh data directory, free port, the e2e admin account (signing in
 * with the password only). `env` overrides the server's environment, e.g. MFA_PLATFORM_ADMINS: 'required'.
 */
export async function startDemoServer(name: string, env: Record<string, string> = {}): Promise<DemoServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `poscare-e2e-${name}-`));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let out = '';
  const server = spawn(process.execPath, ['apps/server/bin/poscare.mjs', 'start', '--demo'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, MQTT_PORT: '0', POSCARE_ADMIN_EMAIL: ADMIN_EMAIL, POSCARE_ADMIN_PASSWORD: ADMIN_PASSWORD, MFA_PLATFORM_ADMINS: 'optional', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return {
    base,
    dataDir,
    output: () => out,
    async healthy() {
      log(`starting server on port ${port} (data in ${dataDir})`);
      await waitForHealth(base, server, () => out.slice(-4000));
      log('server is healthy');
    },
    async stop() {
      await stopServer(server);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Collects the browser console errors and uncaught exceptions of the pages it watches. */
export function consoleWatch() {
  const consoleErrors: string[] = [];
  return {
    consoleErrors,
    watch(page: Page) {
      page.on('console', (msg) => {
        if (msg.type() === 'error') consoleErrors.push(`${msg.text()} (${msg.location().url})`);
      });
      page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
    },
    noConsoleErrors(where: string) {
      assert(consoleErrors.length === 0, `browser console error(s) ${where}:\n  ${consoleErrors.join('\n  ')}`);
    },
  };
}
