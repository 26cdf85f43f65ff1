/**
 * Channels and on-call in a real browser, on a demo server (issue 19): the admin adds a DingTalk robot
 * (signed, with a keyword) whose local stand-in checks the signature as DingTalk does, sends a test
 * message and reads the robot's answer; a robot with a wrong secret shows DingTalk's refusal; an
 * on-call rotation names who is on call now; quiet hours are saved; the delivery log filters by
 * channel. zh-CN and en-US, desktop and a 390 px phone.
 *
 *   npx tsx tests/e2e/channels.e2e.ts
 *
 * Needs a built console (node scripts/build-console.mjs). Screenshots: test-results/e2e-channels/.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { fakeDingtalk } from '../../apps/server/test/fakeProviders.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, assert, CHROMIUM, CHROMIUM_ARGS, consoleWatch, log, noHorizontalOverflow, pick, ROOT, runE2e, screenshotter, signIn, startDemoServer, switchLanguage } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-channels');
const shot = screenshotter(SHOTS);

await runE2e(async () => {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const robot = await fakeDingtalk('e2e-token', 'SECe2e', ['PosCare'], () => new Date());
  const server = await startDemoServer('channels');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const cw = consoleWatch();
  try {
    await server.healthy();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    cw.watch(page);
    await signIn(page, server.base, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${server.base}/settings/channels`);
    await page.getByTestId('page-channels').waitFor();

    const addRobot = async (name: string, secret: string) => {
      await page.getByTestId('channel-add').click();
      await pick(page, 'channel-kind', '钉钉机器人');
      await page.getByTestId('channel-name').fill(name);
      await page.getByTestId('channel-url').fill(`${robot.base}/robot/send?access_token=e2e-token`);
      await page.getByTestId('channel-secret').fill(secret);
      await page.getByRole('dialog').getByLabel('自定义关键词').fill('PosCare');
      await page.getByRole('dialog').getByRole('button', { name: /保\s*存/ }).click();
      await page.getByTestId('channels-table').getByText(name, { exact: true }).waitFor();
    };
    await addRobot('运维值班群', 'SECe2e');
    assert(!(await page.content()).includes('SECe2e'), 'the secret is not shown after saving');
    await page.getByTestId('channel-test').first().click();
    await page.getByTestId('test-answer').waitFor();
    const answer = (await page.getByTestId('test-answer').textContent()) ?? '';
    assert(answer.includes('"errcode":0'), `DingTalk accepted the signed test message (got ${answer})`);
    assert(robot.accepted().length === 1, 'the robot stand-in received one valid message');
    await shot(page, 'test-answer-zh');
    await page.getByRole('dialog').getByRole('button', { name: /确\s*定|OK/ }).click();

    await addRobot('错误密钥群', 'SECwrong');
    await page.getByTestId('channel-test').nth(1).click();
    await page.getByTestId('test-answer').waitFor();
    assert(((await page.getByTestId('test-answer').textContent()) ?? '').includes('sign not match'), 'a wrong secret shows DingTalk’s refusal');
    await page.getByRole('dialog').getByRole('button', { name: /确\s*定|OK/ }).click();

    // An on-call rotation: the admin is on call from today.
    await page.getByTestId('rotation-add').click();
    await page.getByTestId('rotation-team').fill('一线运维');
    await page.getByTestId('rotation-member').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click();
    await page.getByRole('dialog').getByRole('button', { name: /保\s*存/ }).click();
    await page.getByTestId('oncall-now').first().waitFor();

    await page.getByTestId('quiet-on').click();
    await page.getByTestId('quiet-save').click();
    await page.getByText('已保存').first().waitFor();

    await pick(page, 'log-filter-channel', '钉钉');
    await page.getByTestId('channel-delivery-status').first().waitFor();
    // The two tests, and the demo fleet's alerts that went to the robots since.
    const rows = page.getByTestId('channel-log-table').locator('tbody tr.ant-table-row');
    assert((await rows.count()) >= 2, 'the DingTalk log has the two tests');
    const onlyDing = await page
      .waitForFunction(() => {
        const trs = [...document.querySelectorAll('[data-testid="channel-log-table"] tbody tr.ant-table-row')];
        return trs.length >= 2 && trs.every((tr) => tr.textContent?.includes('钉钉'));
      }, undefined, { timeout: 15_000 })
      .then(() => true)
      .catch(() => false);
    assert(onlyDing, 'the log filtered by DingTalk shows only DingTalk rows');
    await shot(page, 'channels-zh');
    await switchLanguage(page, 'en-US');
    await page.getByText('Group robots and SMS', { exact: true }).waitFor();
    await shot(page, 'channels-en');

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true });
    cw.watch(phone);
    await signIn(phone, server.base, ADMIN_EMAIL, ADMIN_PASSWORD);
    await phone.goto(`${server.base}/settings/channels`);
    await phone.getByTestId('channels-table').getByText('运维值班群').waitFor();
    await noHorizontalOverflow(phone, 'channels page at 390 px');
    await shot(phone, 'channels-phone-zh');
    await switchLanguage(phone, 'en-US');
    await phone.getByText('Group robots and SMS', { exact: true }).waitFor();
    await shot(phone, 'channels-phone-en');
    cw.noConsoleErrors('on the channels page');
    log('channels page checked');
  } finally {
    await browser.close();
    await server.stop();
    await robot.close();
  }
});
