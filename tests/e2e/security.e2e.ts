/**
 * Sign-in security through the real console in a real browser, as a fresh installation is meant to run
 * (MFA_PLATFORM_ADMINS=required): the first administrator signs in with the password and must set up
 * two-step sign-in before anything else (QR code and key, a first code, recovery codes shown once), signs
 * out, signs in again with the password and a code from the authenticator (computed here with otpauth),
 * and is remembered in this browser; the password strength meter and the sign-in policy page.
 * Screenshots of the enrolment and the code step in both languages.
 *
 *   npx tsx tests/e2e/security.e2e.ts
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import * as OTPAuth from 'otpauth';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, assert, assertEqual, CHROMIUM, CHROMIUM_ARGS, consoleWatch, log, ROOT, runE2e, screenshotter, startDemoServer, switchLanguage, text } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-security');
const shot = screenshotter(SHOTS);

/** The code an authenticator shows `stepsAhead` periods from now (the server accepts one step either side). */
const code = (secret: string, stepsAhead = 0) => OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secret), timestamp: Date.now() + stepsAhead * 30_000 });

async function passwordStep(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByTestId('login-email').fill(ADMIN_EMAIL);
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
}

/** Signs out through the user menu (again when a click lands while the menu is still opening). */
async function signOut(page: Page): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (!(await page.getByTestId('menu-logout').isVisible())) await page.getByTestId('user-menu').click();
    await page.getByTestId('menu-logout').waitFor();
    await page.getByTestId('menu-logout').click();
    const out = await page.getByTestId('login-submit').waitFor({ timeout: 5_000 }).then(() => true, () => false);
    if (out) return;
    if (attempt === 3) {
      await shot(page, 'sign-out-failed');
      throw new Error('signing out through the user menu did not reach the sign-in page');
    }
  }
}

async function run(): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const demo = await startDemoServer('security', { MFA_PLATFORM_ADMINS: 'required' });
  let browser: Browser | undefined;
  const watch = consoleWatch();
  try {
    await demo.healthy();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    watch.watch(page);

    log('first sign-in: the platform admin must set up two-step sign-in before anything else');
    await passwordStep(page, demo.base);
    await page.getByTestId('mfa-required-page').waitFor();
    assert((await page.getByTestId('app-menu').count()) === 0, 'nothing of the console is shown before enrolment');
    assert((await text(page, 'mfa-required-page')).includes('两步验证'), 'the enrolment page speaks Chinese by default');
    await page.getByTestId('mfa-start').click();
    await page.getByTestId('mfa-qr').waitFor();
    const secret = (await text(page, 'mfa-secret')).replace(/\s/g, '');
    assert(/^[A-Z2-7]{32}$/.test(secret), `the key is shown as text (got "${secret}")`);
    await shot(page, 'enrol-zh');
    await switchLanguage(page, 'en-US');
    assert((await text(page, 'mfa-enrolment')).includes('Scan this QR code'), 'the enrolment page in English');
    await shot(page, 'enrol-en');

    await page.getByTestId('mfa-code').fill(code(secret));
    await page.getByTestId('mfa-confirm').click();
    await page.getByTestId('mfa-recovery-codes').waitFor();
    const recovery = (await page.getByTestId('mfa-recovery-codes').locator('li').allTextContents()).map((s) => s.trim());
    assertEqual(recovery.length, 10, 'recovery codes shown');
    await shot(page, 'recovery-codes-en');
    await page.getByTestId('mfa-recovery-done').click();
    await page.getByTestId('app-menu').waitFor();
    watch.noConsoleErrors('while enrolling');

    log('sign out, then sign in with the password and a code from the app');
    await signOut(page);
    await switchLanguage(page, 'zh-CN');
    await passwordStep(page, demo.base);
    await page.getByTestId('login-code-step').waitFor();
    assert((await text(page, 'login-code-title')).includes('两步验证'), 'the code step in Chinese');
    await shot(page, 'code-step-zh');
    await switchLanguage(page, 'en-US');
    assert((await text(page, 'login-code-title')).includes('Two-step verification'), 'the code step in English');
    await shot(page, 'code-step-en');
    // The code used to enrol is spent: the next period's code is accepted (one step of clock drift either side).
    await page.getByTestId('login-code').fill(code(secret, 1));
    await page.getByTestId('login-remember').check();
    await page.getByTestId('login-code-submit').click();
    await page.getByTestId('app-menu').waitFor();

    log('the security page shows two-step sign-in on, 10 recovery codes, this browser remembered');
    await page.goto(`${demo.base}/settings/security`);
    await page.getByTestId('mfa-state').waitFor();
    assertEqual(await text(page, 'mfa-state'), 'On', 'two-step state');
    assert((await text(page, 'mfa-card')).includes('10 unused'), 'ten recovery codes left');
    assert((await page.getByTestId('mfa-disable').count()) === 0, 'required for platform admins: no way to turn it off');
    await shot(page, 'security-page-en');

    log('the strength meter under a new password, and the sign-in policy page');
    await page.getByTestId('new-password').fill('password12');
    await page.getByTestId('password-strength').waitFor();
    assert(Number(await page.getByTestId('password-strength').getAttribute('data-score')) < 3, 'password12 is weak in the browser too');
    assert((await text(page, 'password-strength')).includes('too easy to guess'), 'the meter says why');
    await page.getByTestId('new-password').fill('Quiet-Lantern-Brook-7');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="password-strength"]')?.getAttribute('data-score')) >= 3);
    await shot(page, 'password-strength-en');
    await page.goto(`${demo.base}/settings/sign-in-policy`);
    await page.getByTestId('policy-roles').waitFor();
    assert((await text(page, 'sign-in-policy-page')).includes('Platform administrators: two-step sign-in required'), 'the installation rule is shown');
    await shot(page, 'sign-in-policy-en');

    log('a remembered browser skips the code; a recovery code works where the app is not at hand');
    await signOut(page);
    await passwordStep(page, demo.base);
    await page.getByTestId('app-menu').waitFor();
    await signOut(page);
    await context.clearCookies();
    await passwordStep(page, demo.base);
    await page.getByTestId('login-code-step').waitFor();
    await page.getByTestId('login-use-recovery').click();
    await page.getByTestId('login-recovery').fill(recovery[0]!);
    await page.getByTestId('login-code-submit').click();
    await page.getByTestId('app-menu').waitFor();
    watch.noConsoleErrors('while signing in with the second factor');
  } finally {
    await browser?.close();
    await demo.stop();
  }
}

await runE2e(run);
