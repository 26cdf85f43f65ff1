/**
 * End-to-end check of the knowledge base in the console, in a real browser, on a demo server (which
 * loads the starter articles): (a) an agent searches in Chinese ("挥卡没反应") and English ("chip card
 * not read"), reads the paper-jam article, edits it (English summary, a new step with a picture, a change
 * note) → a new version in the history → (b) a ticket about a paper jam, resolved, shows related articles
 * on its page; "Make a case study" opens a pre-filled draft, which is published → (c) the demo merchant
 * on a phone (390 px) searches, reads the article with the picture, answers "was this helpful", in zh-CN
 * and en-US.
 *
 *   npx tsx tests/e2e/kb.e2e.ts
 *
 * Starts its own server (fresh data directory, free port, --demo) and Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
 * Needs a built console (npm run build -w @poscare/console). Fails on any assertion and any unexpected browser console error.
 * Screenshots: test-results/e2e-kb/.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, assert, assertEqual, AssertionError, CHROMIUM, CHROMIUM_ARGS, log, ROOT, screenshotter, text, runE2e, signIn, switchLanguage, noHorizontalOverflow, startDemoServer, consoleWatch } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-kb');
const shot = screenshotter(SHOTS);
const AGENT_EMAIL = 'agent@e2e-kb.test';
const AGENT_PASSWORD = 'E2e-Agent-Pass-1';
const MERCHANT_EMAIL = 'merchant@demo.poscare';
const MERCHANT_PASSWORD = 'PosCare-Demo-2026';
const NEW_STEP_ZH = 'E2E：用镊子取出切刀下方的碎纸';
const NEW_STEP_EN = 'E2E: pick the shreds out from under the cutter with tweezers';
const NOTE = 'E2E: cutter step with a picture';

/** A small PNG (a blue bar on white) so the picture is visible in the screenshots. */
function png(width = 240, height = 120): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2; // truecolour
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3, 0xff);
    row[0] = 0;
    if (y > height / 3 && y < (2 * height) / 3) for (let x = 20; x < width - 20; x++) row.set([0x1f, 0x4f, 0xd6], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/** Searches on the knowledge-base page and waits for the answer to that query. */
async function search(page: Page, q: string): Promise<void> {
  const box = page.locator('[data-testid="kb-search"] input');
  await box.fill(q);
  await box.press('Enter');
  await page.waitForFunction((want) => {
    const el = document.querySelector('[data-testid="page-kb"]');
    return el?.getAttribute('data-q') === want && el.getAttribute('data-ready') === 'true';
  }, q);
  await page.getByTestId('kb-result').first().waitFor();
}

async function firstResultCauses(page: Page): Promise<string> {
  return (await page.getByTestId('kb-result').first().getAttribute('data-causes')) ?? '';
}

async function imageLoaded(page: Page, testId: string): Promise<boolean> {
  const img = page.getByTestId(testId).first();
  await img.waitFor();
  return img.evaluate(async (el) => {
    const i = el as HTMLImageElement;
    if (!i.complete) await new Promise((r) => i.addEventListener('load', r, { once: true }));
    return i.naturalWidth > 0;
  });
}

async function run(): Promise<void> {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const demo = await startDemoServer('kb');
  const { base } = demo;
  let browser: Browser | undefined;
  let current: Page | undefined;
  const { consoleErrors, watch, noConsoleErrors } = consoleWatch();

  try {
    await demo.healthy();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

    // 0. The administrator adds an agent.
    const adminCtx: BrowserContext = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    adminCtx.setDefaultTimeout(20_000);
    const admin = await adminCtx.newPage();
    current = admin;
    watch(admin);
    await signIn(admin, base, ADMIN_EMAIL, ADMIN_PASSWORD);
    const created = await admin.request.post(`${base}/api/v1/users`, { data: { email: AGENT_EMAIL, name: '赵知识 (agent)', role: 'agent', language: 'zh-CN', password: AGENT_PASSWORD } });
    assertEqual(created.status(), 201, 'create agent user');

    // 1. The agent searches in both languages.
    const agentCtx: BrowserContext = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    agentCtx.setDefaultTimeout(20_000);
    const page = await agentCtx.newPage();
    current = page;
    watch(page);
    await signIn(page, base, AGENT_EMAIL, AGENT_PASSWORD);
    await page.getByTestId('nav-kb').click();
    await page.getByTestId('page-kb').waitFor();
    assertEqual(await text(page, 'page-title'), '知识库', 'page title in Chinese');
    await page.getByTestId('kb-result').first().waitFor();
    const starterTotal = Number(await page.getByTestId('kb-total').getAttribute('data-total'));
    assert(starterTotal >= 20, `the demo has the starter articles (got ${starterTotal})`);
    await search(page, '挥卡没反应');
    assert((await firstResultCauses(page)).includes('hw.reader.contactless'), `"挥卡没反应" finds the contactless article first (got ${await firstResultCauses(page)})`);
    assert((await page.locator('[data-testid="kb-result"] mark').count()) > 0, 'the words found are marked');
    await shot(page, 'search-zh');
    await switchLanguage(page, 'en-US');
    await search(page, 'chip card not read');
    assert((await firstResultCauses(page)).includes('hw.reader.chip'), 'chip card not read finds the chip reader article first');
    const enTitle = (await page.getByTestId('kb-result-link').first().textContent()) ?? '';
    assert(/chip/i.test(enTitle), `titles in English (got "${enTitle}")`);
    await shot(page, 'search-en');
    await switchLanguage(page, 'zh-CN');
    log('search finds the right articles in Chinese and English');

    // Read the paper-jam article.
    await search(page, '打印机卡纸');
    assert((await firstResultCauses(page)).includes('hw.printer.jam'), '打印机卡纸 finds the paper jam article first');
    await page.getByTestId('kb-result-link').first().click();
    await page.getByTestId('page-kb-article').waitFor();
    const articleUrl = page.url();
    const articleId = (await page.getByTestId('page-kb-article').getAttribute('data-id'))!;
    const v0 = Number(await page.getByTestId('page-kb-article').getAttribute('data-version'));
    assert((await page.getByTestId('kb-step').count()) >= 4, 'the article has its steps');
    await shot(page, 'reader-zh');

    // Edit: English summary, a new step with a picture, a change note → a new version.
    await page.getByTestId('kb-edit').click();
    await page.getByTestId('page-kb-editor').waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="page-kb-editor"]')?.getAttribute('data-base')) > 0);
    const steps0 = await page.getByTestId('kb-editor-step').count();
    await page.getByTestId('kb-editor-add-step').click();
    const step = page.getByTestId('kb-editor-step').nth(steps0);
    await step.getByTestId('kb-editor-step-zh-CN').fill(NEW_STEP_ZH);
    await step.getByTestId('kb-editor-step-en-US').fill(NEW_STEP_EN);
    await step.getByTestId('kb-editor-step-file').setInputFiles({ name: 'cutter.png', mimeType: 'image/png', buffer: png() });
    assert(await imageLoaded(page, 'kb-editor-step-img'), 'the uploaded picture shows in the editor');
    await page.getByTestId('kb-editor-tab-en-US').click();
    const summary = page.getByTestId('kb-editor-summary-en-US');
    await summary.fill(`${await summary.inputValue()} Check under the cutter too.`);
    await page.getByTestId('kb-editor-note').fill(NOTE);
    await page.getByTestId('kb-editor-steps').scrollIntoViewIfNeeded();
    await shot(page, 'editor-zh');
    await page.getByTestId('kb-editor-save').click();
    await page.waitForURL(articleUrl);
    await page.waitForFunction((v) => Number(document.querySelector('[data-testid="page-kb-article"]')?.getAttribute('data-version')) === v + 1, v0);
    assert((await page.locator('[data-testid="kb-step"]').last().textContent())?.includes(NEW_STEP_ZH), 'the new step is shown');
    assert(await imageLoaded(page, 'kb-step-img'), 'the step picture loads in the reader');
    await page.getByTestId('kb-history-open').click();
    const top = page.getByTestId('kb-version').first();
    await top.waitFor();
    assertEqual(Number(await top.getAttribute('data-version')), v0 + 1, 'the history starts with the new version');
    assert(((await top.getByTestId('kb-version-note').textContent()) ?? '').includes(NOTE), 'the history shows the change note');
    await shot(page, 'history-zh');
    await page.keyboard.press('Escape');
    log(`edited the paper-jam article: version ${v0} → ${v0 + 1} with a picture`);
    noConsoleErrors('for the agent in the knowledge base');

    // 2. A paper-jam ticket, resolved: related articles on its page, then "Make a case study".
    const api = async (method: 'post' | 'get', url: string, data?: unknown) => {
      const res = await page.request[method](`${base}/api/v1${url}`, data === undefined ? undefined : { data });
      assert(res.status() < 300, `${method.toUpperCase()} ${url} → ${res.status()} ${await res.text()}`);
      return (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    const terminal = (await api('get', '/terminals?limit=1')).items[0];
    const ticket = (await api('post', '/tickets', { terminalId: terminal.id, title: 'E2E 小票打一半卡住', description: '打印到一半卡纸，取出后又卡', causeCode: 'hw.printer.jam' })).ticket;
    for (const body of [
      { to: 'triaged', category: 'hardware' },
      { to: 'locating' },
      { to: 'planned', plan: { kind: 'onsite_repair', summary: 'E2E：上门更换切刀和压纸辊' } },
      { to: 'in_progress', reason: '工程师已到店' },
      { to: 'verifying' },
      { to: 'resolved', override: true, reason: 'E2E：现场打印 10 张测试小票正常' },
    ]) {
      const moved = await page.request.post(`${base}/api/v1/tickets/${ticket.id}/transition`, { data: body });
      assertEqual(moved.status(), 200, `ticket → ${body.to}`);
    }
    await page.goto(`${base}/tickets/${ticket.id}`);
    await page.getByTestId('ticket-knowledge').waitFor();
    const related = page.getByTestId('ticket-knowledge').getByTestId('kb-related-item').first();
    await related.waitFor();
    assert(((await related.getAttribute('data-causes')) ?? '').includes('hw.printer.jam'), 'the ticket shows the paper-jam article');
    await page.getByTestId('ticket-knowledge').scrollIntoViewIfNeeded();
    await shot(page, 'ticket-related-zh', page.getByTestId('ticket-knowledge'));
    await page.getByTestId('ticket-case-study').click();
    await page.getByTestId('page-kb-article').waitFor();
    await page.getByTestId('kb-draft-banner').waitFor();
    assertEqual(await page.getByTestId('page-kb-article').getAttribute('data-status'), 'draft', 'the case study is a draft');
    assert((await text(page, 'kb-article-title')).includes('E2E 小票打一半卡住'), 'the draft is titled after the ticket');
    const body = (await page.getByTestId('kb-article-body').textContent()) ?? '';
    assert(body.includes('E2E：上门更换切刀和压纸辊') && body.includes('E2E：现场打印 10 张测试小票正常'), 'the draft holds the plan and the verification');
    assertEqual(await text(page, 'kb-source-ticket'), ticket.number, 'the draft names its source ticket');
    await shot(page, 'case-study-draft-zh');
    await page.getByTestId('kb-publish').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="page-kb-article"]')?.getAttribute('data-status') === 'published');
    log(`case study from ${ticket.number} drafted and published`);
    noConsoleErrors('for the agent on the ticket and the case study');

    // 3. The merchant on a phone: search, read with the picture, "was this helpful", zh-CN and en-US.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    phone.setDefaultTimeout(20_000);
    const mp = await phone.newPage();
    current = mp;
    watch(mp);
    await signIn(mp, base, MERCHANT_EMAIL, MERCHANT_PASSWORD);
    await switchLanguage(mp, 'zh-CN');
    await mp.goto(`${base}/kb`);
    await mp.getByTestId('page-kb').waitFor();
    assertEqual(await mp.getByTestId('kb-filter-status').count(), 0, 'merchants have no status filter');
    assertEqual(await mp.getByTestId('kb-new').count(), 0, 'merchants cannot write articles');
    await search(mp, '打印机卡纸');
    assert((await mp.locator('[data-testid="kb-result"][data-status="draft"]').count()) === 0, 'merchants see no drafts');
    await noHorizontalOverflow(mp, 'knowledge base at 390 px');
    await shot(mp, 'merchant-search-390-zh');
    await mp.goto(`${base}/kb/${articleId}`);
    await mp.getByTestId('page-kb-article').waitFor();
    assert(await imageLoaded(mp, 'kb-step-img'), 'the merchant sees the step picture');
    await mp.getByTestId('kb-helpful-yes').click();
    await mp.waitForFunction(() => document.querySelector('[data-testid="kb-feedback"]')?.getAttribute('data-mine') === 'true');
    assertEqual(await mp.getByTestId('kb-edit').count(), 0, 'no edit button for merchants');
    await noHorizontalOverflow(mp, 'article at 390 px');
    await shot(mp, 'merchant-article-390-zh');
    await switchLanguage(mp, 'en-US');
    await mp.waitForFunction(() => /jam/i.test(document.querySelector('[data-testid="kb-article-title"]')?.textContent ?? ''));
    await noHorizontalOverflow(mp, 'article at 390 px in English');
    await shot(mp, 'merchant-article-390-en');
    noConsoleErrors('for the merchant');
    log('merchant reads the article with its picture on a phone, in both languages');
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
