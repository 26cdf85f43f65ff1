/**
 * Channels and on-call in a real browser, on a demo server (issue 19): the admin adds a DingTalk robot
 * (signed, with a keyword) whose local stand-in checks the signature as DingTalk does, sends a test
 * message and reads the robot's answer; a robot with a wrong secret shows DingTalk's refusal; an
 * on-call rotation names who is on call now; quiet hours are saved; the delivery log filters by
 * channel. Merchant contacts: the admin picks a merchant, adds a contact and changes its language
 * and topics. A short link from an SMS opens its ticket after sign-in; a tampered one is refused.
 * zh-CN and en-US, desktop and a 390 px phone.
 *
 *   npx tsx tests/e2e/channels.e2e.ts
 *
 * Needs a built console (node scripts/build-console.mjs). Screenshots: test-results/e2e-channels/.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { fakeDingtalk } from '../../apps/server/test/fakeProviders.js';
import { shortLinkKey, signShortLink } from '../../apps/server/src/notifications/shortLinks.js';
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
    // The test message (the demo's alerts and ticket escalations may reach the new robot too, and are valid as well).
    const tests = robot.accepted().filter((c) => JSON.stringify(c.json).includes('PosCare 测试消息'));
    assert(tests.length === 1, `the robot stand-in received the test message once (got ${tests.length})`);
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

    // Merchant contacts: pick a merchant of the demo, add a contact, change it.
    const [merchant] = ((await (await page.request.get(`${server.base}/api/v1/merchants?limit=1`)).json()) as { items: { id: string; name: string }[] }).items;
    assert(merchant, 'the demo has a merchant');
    await switchLanguage(page, 'zh-CN');
    await page.getByTestId('nav-contacts').click();
    await page.getByTestId('page-contacts').waitFor();
    await pick(page, 'contact-merchant', merchant.name);
    await page.getByTestId('contact-add').click();
    await page.getByTestId('contact-name').fill('王店长');
    await page.getByTestId('contact-mobile').fill('13800001234');
    await page.getByTestId('contact-save').click();
    await page.getByTestId('contacts-table').getByText('王店长').waitFor();
    await page.getByTestId('contact-edit').first().click();
    await page.getByTestId('contact-name').fill('王店长（早班）');
    await pick(page, 'contact-language', 'English');
    await page.getByRole('dialog').getByRole('checkbox', { name: /争议截止/ }).uncheck();
    await page.getByRole('dialog').getByRole('checkbox', { name: /严重告警/ }).check();
    await page.getByTestId('contact-save').click();
    await page.getByTestId('contacts-table').getByText('王店长（早班）').waitFor();
    const saved = ((await (await page.request.get(`${server.base}/api/v1/merchants/${merchant.id}/contacts`)).json()) as { name: string; language: string; topics: string[] }[]).find((c) => c.name === '王店长（早班）');
    assert(saved?.language === 'en-US', `the contact's language was changed (got ${saved?.language})`);
    assert(JSON.stringify([...saved.topics].sort()) === JSON.stringify(['alert', 'duplicate_charge', 'ticket_step']), `the contact's topics were changed (got ${saved.topics})`);
    await shot(page, 'contacts-zh');
    await page.getByTestId('contact-edit').first().click();
    await page.getByRole('dialog').getByTestId('contact-topics').waitFor();
    await shot(page, 'contact-editor-zh');
    await page.keyboard.press('Escape');
    await switchLanguage(page, 'en-US');
    await page.getByText('Contacts of your merchant').or(page.getByText('Texts about')).first().waitFor();
    await shot(page, 'contacts-en');
    await page.getByTestId('contact-edit').first().click();
    await page.getByRole('dialog').getByText('Ticket opened, engineer assigned', { exact: false }).waitFor();
    await shot(page, 'contact-editor-en');
    await page.keyboard.press('Escape');

    // A short link as an SMS carries it, signed with this installation's key: it opens the ticket.
    const [ticket] = ((await (await page.request.get(`${server.base}/api/v1/tickets?status=all&limit=1`)).json()) as { items: { id: string }[] }).items;
    assert(ticket, 'the demo has a ticket');
    const token = signShortLink(shortLinkKey({ DATA_DIR: server.dataDir, POSCARE_SECRET_KEY: undefined, DATABASE_URL: undefined })!, 'tickets', ticket.id);
    await page.goto(`${server.base}/s/${token}`);
    await page.waitForURL(`**/tickets/${ticket.id}`, { timeout: 15_000 });
    const bad = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
    await page.goto(`${server.base}/s/${bad}`);
    await page.getByTestId('short-link-invalid').waitFor();
    assert(page.url().endsWith(`/s/${bad}`), 'a tampered link stays on its refusal');
    // Its 404 is the point; the browser logs it as an error: that one entry is expected.
    const refused = cw.consoleErrors.findIndex((e) => e.includes(`/api/v1/short-links/${bad}`));
    if (refused >= 0) cw.consoleErrors.splice(refused, 1);
    await shot(page, 'short-link-refused-en');

    await phone.goto(`${server.base}/settings/contacts?merchant=${merchant.id}`);
    await phone.getByTestId('contacts-table').getByText('王店长（早班）').waitFor();
    await noHorizontalOverflow(phone, 'contacts page at 390 px');
    await shot(phone, 'contacts-phone-en');
    await phone.getByTestId('contact-edit').first().click();
    await phone.getByRole('dialog').getByTestId('contact-topics').waitFor();
    await shot(phone, 'contact-editor-phone-en');
    await phone.keyboard.press('Escape');
    await switchLanguage(phone, 'zh-CN');
    await phone.getByTestId('contact-edit').first().click();
    await phone.getByRole('dialog').getByText('工单受理', { exact: false }).waitFor();
    await shot(phone, 'contact-editor-phone-zh');

    // The merchant's own user keeps their merchant's contacts (no merchant to pick), on a phone.
    const [full] = ((await (await page.request.get(`${server.base}/api/v1/merchants?limit=1`)).json()) as { items: { id: string; orgId: string }[] }).items;
    const made = await page.request.post(`${server.base}/api/v1/users`, {
      data: { orgId: full!.orgId, merchantId: merchant.id, email: 'owner@e2e.test', name: '店主', role: 'merchant', language: 'zh-CN', password: 'E2e-Owner-Pass-1' },
    });
    assert(made.ok(), `a merchant user was made (${made.status()} ${await made.text()})`);
    const owner = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true });
    cw.watch(owner);
    await signIn(owner, server.base, 'owner@e2e.test', 'E2e-Owner-Pass-1');
    await owner.goto(`${server.base}/settings/contacts`);
    await owner.getByText('本商户的联系人').waitFor();
    assert((await owner.getByTestId('contact-merchant').count()) === 0, 'a merchant’s user picks no merchant');
    await owner.getByTestId('contacts-table').getByText('王店长（早班）').waitFor();
    await owner.getByTestId('contact-add').click();
    await owner.getByTestId('contact-name').fill('收银员小李');
    await owner.getByTestId('contact-mobile').fill('13900004321');
    await owner.getByTestId('contact-save').click();
    await owner.getByTestId('contacts-table').getByText('收银员小李').waitFor();
    await noHorizontalOverflow(owner, 'contacts page of a merchant’s user at 390 px');
    await shot(owner, 'contacts-merchant-phone-zh');

    cw.noConsoleErrors('on the channels and contacts pages');
    log('channels and contacts pages checked');
  } finally {
    await browser.close();
    await server.stop();
    await robot.close();
  }
});
