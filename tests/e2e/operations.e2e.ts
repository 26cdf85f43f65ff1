/**
 * Background jobs in the console, in a real browser, on a demo server: the platform administrator finds
 * "Background jobs" under administration, sees each job queue (the demo's alerts were diagnosed through
 * it) and the dead-letter list, in zh-CN and English; an agent has no such menu and is refused the page.
 *
 *   npx tsx tests/e2e/operations.e2e.ts
 *
 * Needs a built console (node scripts/build-console.mjs). Screenshots: test-results/e2e-operations/.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, assert, CHROMIUM, CHROMIUM_ARGS, consoleWatch, log, ROOT, runE2e, screenshotter, signIn, startDemoServer, switchLanguage } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-operations');
const shot = screenshotter(SHOTS);

await runE2e(async () => {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const server = await startDemoServer('operations');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const cw = consoleWatch();
  try {
    await server.healthy();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    cw.watch(page);
    await signIn(page, server.base, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${server.base}/admin/jobs`);
    await page.getByText('后台任务', { exact: true }).first().waitFor();
    // The demo's fired alerts are diagnosed as jobs: the queue appears once the first is sent.
    await page.waitForFunction(() => document.body.textContent?.includes('alert.diagnose'), undefined, { timeout: 120_000 }).catch(async () => {
      await page.reload();
      await page.getByText('alert.diagnose').first().waitFor({ timeout: 60_000 });
    });
    assert(await page.getByText('告警诊断').first().isVisible(), 'the diagnosis queue is named in Chinese');
    assert(await page.getByText('失败的任务（死信）', { exact: true }).isVisible(), 'the dead-letter list is shown');
    await shot(page, 'jobs-zh');
    await switchLanguage(page, 'en-US');
    await page.getByText('Failed jobs (dead letters)', { exact: true }).waitFor();
    assert(await page.getByText('Alert diagnosis').first().isVisible(), 'the diagnosis queue is named in English');
    await shot(page, 'jobs-en');
    cw.noConsoleErrors('on the jobs page');

    // An agent runs the service desk, not the installation.
    const agent = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    await signIn(agent, server.base, 'agent@demo.poscare', 'PosCare-Demo-2026');
    assert((await agent.locator('a[href="/admin/jobs"], [data-menu-id$="admin-jobs"]').count()) === 0, 'an agent has no Background jobs menu');
    await agent.goto(`${server.base}/admin/jobs`);
    await agent.waitForTimeout(1_500);
    assert(!(await agent.getByText('Failed jobs (dead letters)', { exact: true }).isVisible()), 'an agent is refused the jobs page');
    log('jobs page checked');
  } finally {
    await browser.close();
    await server.stop();
  }
});
