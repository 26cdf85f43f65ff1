/**
 * The knowledge base: articles in zh-CN and en-US linked to cause codes; every save a new version with
 * who, when and why; search in both languages with Chinese word segmentation and ranking; pictures;
 * articles for a diagnosis' causes; case studies from resolved tickets; the starter set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KB_IMAGE_MAX_BYTES } from '@poscare/contracts';
import { articleSearchTokens, parseQuery } from '../src/knowledge/search.js';
import { STARTER_ARTICLES, starterProblems } from '../src/knowledge/starter.js';
import { createTestApp, type TestApp } from './harness.js';
import { multipartFile } from './multipart.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let B: Awaited<ReturnType<TestApp['tenant']>>;
let admin: string;
let agent: string;
let merchant: string;
let adminB: string;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const call = (method: 'GET' | 'POST' | 'PUT', url: string, cookie: string, payload?: unknown, lang = 'en-US') =>
  t.app.inject({ method, url, headers: { cookie, 'accept-language': lang }, ...(payload === undefined ? {} : { payload: payload as object }) });
const search = async (q: string, cookie = agent, extra = '') => (await call('GET', `/api/v1/kb/search?q=${encodeURIComponent(q)}${extra}`, cookie)).json() as Json;
const both = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** Writes and publishes an article as the agent. */
async function published(body: Json): Promise<Json> {
  const created = await call('POST', '/api/v1/kb/articles', agent, body);
  expect(created.statusCode, created.body).toBe(201);
  const res = await call('POST', `/api/v1/kb/articles/${created.json().id}/status`, agent, { status: 'published' });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  B = await t.tenant();
  admin = await t.login(A.admin.email);
  agent = await t.login((await t.f.user(A.org.id, 'agent')).email);
  merchant = await t.login(A.merchantUser.email);
  adminB = await t.login(B.admin.email);
  const res = await call('POST', '/api/v1/kb/starter', admin);
  expect(res.statusCode, res.body).toBe(200);
});
afterAll(async () => t?.close());

describe('the starter set', () => {
  it('is sound data: 20+ articles, known cause codes, both languages, steps for every article', () => {
    expect(STARTER_ARTICLES.length).toBeGreaterThanOrEqual(20);
    expect(starterProblems()).toEqual([]);
  });

  it('loads once per organization: loading again adds nothing; only admins load it', async () => {
    const again = await call('POST', '/api/v1/kb/starter', admin);
    expect(again.json()).toEqual({ created: 0, existing: STARTER_ARTICLES.length });
    expect((await call('POST', '/api/v1/kb/starter', agent)).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/kb/starter', merchant)).statusCode).toBe(403);
    // Another organization does not see A's articles.
    expect((await search('打印机卡纸', adminB)).total).toBe(0);
  });
});

describe('search in both languages', () => {
  it('"挥卡没反应" finds the contactless reader article first', async () => {
    const r = await search('挥卡没反应');
    expect(r.items[0].causeCodes).toContain('hw.reader.contactless');
    expect(r.terms).toEqual(['挥卡', '反应']);
  });

  it('"打印机卡纸" finds the paper jam article first, with a snippet around the words', async () => {
    const r = await search('打印机卡纸', agent, '&lang=zh-CN');
    expect(r.items[0].causeCodes).toContain('hw.printer.jam');
    expect(r.items[0].title).toMatch(/卡纸/);
    expect(r.items[0].snippet).toMatch(/卡纸|打印机/);
  });

  it('"chip card not read" finds the chip reader article first, titled in the asked language', async () => {
    const en = await search('chip card not read', agent, '&lang=en-US');
    expect(en.items[0].causeCodes).toContain('hw.reader.chip');
    expect(en.items[0].title).toMatch(/Chip card cannot be read/);
    const zh = await search('chip card not read', agent, '&lang=zh-CN');
    expect(zh.items[0].title).toMatch(/插卡/);
  });

  it('finds English words in other forms ("batteries draining" → the battery article)', async () => {
    const r = await search('batteries draining quickly');
    expect(r.items[0].causeCodes).toContain('hw.battery.degraded');
  });

  it('ranks an article with the words in its title above one with them only in the body', async () => {
    const inBody = await published({
      title: both('终端日常保养', 'Daily terminal care'),
      summary: both('每天的保养清单', 'A daily care checklist'),
      body: both('擦拭屏幕。检查纸仓卷轴异响，必要时上油。', 'Wipe the screen. Listen for a squeaking paper spindle and oil it.'),
    });
    const inTitle = await published({
      title: both('纸仓卷轴异响', 'Squeaking paper spindle'),
      summary: both('打印时有吱吱声', 'A squeak while printing'),
      body: both('更换卷轴。', 'Replace the spindle.'),
    });
    const zh = await search('卷轴异响');
    expect(zh.items.map((i: Json) => i.id).slice(0, 2)).toEqual([inTitle.id, inBody.id]);
    expect(zh.items[0].score).toBeGreaterThan(zh.items[1].score);
    const en = await search('squeaking spindle');
    expect(en.items.map((i: Json) => i.id).slice(0, 2)).toEqual([inTitle.id, inBody.id]);
  });

  it('filters by cause: every result is linked to the cause, with and without words', async () => {
    const r = await search('打印机', agent, '&cause=hw.printer.paper_out');
    expect(r.total).toBeGreaterThan(0);
    for (const i of r.items) expect(i.causeCodes).toContain('hw.printer.paper_out');
    const all = (await call('GET', '/api/v1/kb/search?cause=hw.reader.chip', agent)).json();
    expect(all.total).toBeGreaterThan(0);
    for (const i of all.items) expect(i.causeCodes).toContain('hw.reader.chip');
  });

  it('shows staff their drafts after the published articles; merchants never see drafts', async () => {
    const draft = (await call('POST', '/api/v1/kb/articles', agent, { title: both('打印机卡纸草稿', 'Draft about printer jams'), summary: both('', ''), body: both('打印机卡纸', '') })).json();
    const staff = await search('打印机卡纸');
    const ids = staff.items.map((i: Json) => i.id);
    expect(ids).toContain(draft.id);
    const firstDraft = staff.items.findIndex((i: Json) => i.status === 'draft');
    expect(staff.items.slice(firstDraft).every((i: Json) => i.status === 'draft')).toBe(true);
    const m = await search('打印机卡纸', merchant);
    expect(m.items.map((i: Json) => i.id)).not.toContain(draft.id);
    expect(m.items.every((i: Json) => i.status === 'published')).toBe(true);
    expect((await call('GET', `/api/v1/kb/articles/${draft.id}`, merchant)).statusCode).toBe(404);
  });

  it('a query of only common words finds nothing rather than everything', async () => {
    expect((await search('的 了 the')).items).toEqual([]);
  });

  it('search words: titles count three times, Chinese is cut into words, English is stemmed', () => {
    const tokens = articleSearchTokens({ title: both('挥卡没反应', 'Tap fails'), summary: both('', ''), body: both('', 'Readers reading'), causeCodes: ['hw.reader.contactless'] });
    expect(tokens.split(' ').filter((w) => w === '反应')).toHaveLength(3);
    expect(tokens.split(' ')).toContain('read');
    expect(tokens.split(' ')).toContain('hw.reader.contactless');
    expect(parseQuery('Wi-Fi 掉线')?.terms).toEqual(['wifi', '掉线']);
  });
});

describe('articles for diagnosed causes', () => {
  it("lists published articles of the most likely cause first, then the next cause's", async () => {
    const r = (await call('GET', '/api/v1/kb/for-causes?codes=hw.printer.jam,hw.printer.paper_out&lang=zh-CN', merchant)).json();
    expect(r.items[0].causeCodes).toContain('hw.printer.jam');
    expect(r.items[0].matched[0]).toBe('hw.printer.jam');
    expect(r.items.some((i: Json) => i.causeCodes.includes('hw.printer.paper_out'))).toBe(true);
    expect(r.items.every((i: Json) => i.status === 'published')).toBe(true);
    expect(r.items[0].title).toMatch(/[\u4e00-\u9fff]/);
  });

  it('lists the taxonomy with the number of published articles per cause, in the caller language', async () => {
    const r = (await call('GET', '/api/v1/kb/causes', agent, undefined, 'zh-CN')).json();
    const chip = r.items.find((c: Json) => c.code === 'hw.reader.chip');
    expect(chip.articles).toBeGreaterThanOrEqual(1);
    expect(chip.title).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('editing: every save is a new version', () => {
  let id: string;

  it('a new article is a draft at version 1; saving with a note makes version 2 with who, when and why', async () => {
    const created = await call('POST', '/api/v1/kb/articles', agent, {
      title: both('扫码枪无法连接', 'Scanner does not connect'),
      summary: both('扫码枪连不上终端', 'The scanner cannot reach the terminal'),
      body: both('检查数据线。', 'Check the cable.'),
      causeCodes: ['hw.scanner'],
      tags: ['Scanner'],
      note: 'first draft',
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ status: 'draft', version: 1, tags: ['scanner'], causes: [{ code: 'hw.scanner' }] });
    id = created.json().id;
    t.clock.advance(60_000);
    const saved = await call('PUT', `/api/v1/kb/articles/${id}`, agent, {
      ...(created.json() as Json),
      steps: [{ text: both('重新插拔扫码枪数据线', 'Unplug and replug the scanner cable') }],
      body: both('检查数据线和蓝牙配对。', 'Check the cable and Bluetooth pairing.'),
      note: 'add pairing',
      baseVersion: 1,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ version: 2, status: 'draft' });
    const versions = (await call('GET', `/api/v1/kb/articles/${id}/versions`, agent)).json().items;
    expect(versions.map((v: Json) => [v.version, v.action, v.note])).toEqual([
      [2, 'edited', 'add pairing'],
      [1, 'created', 'first draft'],
    ]);
    expect(versions[0].author).toMatch(/^agent/);
    expect(new Date(versions[0].at).getTime() - new Date(versions[1].at).getTime()).toBe(60_000);
  });

  it('the search follows the latest version', async () => {
    expect((await search('蓝牙配对')).items.map((i: Json) => i.id)).toContain(id);
  });

  it('any version can be viewed as it was saved', async () => {
    const v1 = (await call('GET', `/api/v1/kb/articles/${id}?version=1`, agent)).json();
    expect(v1).toMatchObject({ version: 1, body: { 'en-US': 'Check the cable.' }, steps: [] });
    const full = (await call('GET', `/api/v1/kb/articles/${id}/version?n=1`, agent)).json();
    expect(full).toMatchObject({ version: 1, action: 'created', body: { 'zh-CN': '检查数据线。' } });
    expect((await call('GET', `/api/v1/kb/articles/${id}/version?n=9`, agent, undefined, 'zh-CN')).json().error.message).toBe('该文章没有第 9 版。');
  });

  it('restoring a version brings its content back as a new version, keeping the history', async () => {
    const r = await call('POST', `/api/v1/kb/articles/${id}/restore`, agent, { version: 1, note: 'pairing text was wrong' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ version: 3, body: { 'en-US': 'Check the cable.' }, steps: [] });
    const top = (await call('GET', `/api/v1/kb/articles/${id}/versions`, agent)).json().items[0];
    expect(top).toMatchObject({ version: 3, action: 'restored', restoredFrom: 1, note: 'pairing text was wrong' });
  });

  it('a save made from an older version is refused, naming who saved in between, and nothing is lost', async () => {
    const current = (await call('GET', `/api/v1/kb/articles/${id}`, agent)).json();
    const res = await call('PUT', `/api/v1/kb/articles/${id}`, admin, { ...current, title: both('旧稿覆盖', 'stale'), baseVersion: 2 }, 'zh-CN');
    expect(res.statusCode).toBe(409);
    expect(res.json().error.id).toBe('kb.version_conflict');
    expect(res.json().error.message).toMatch(/第 3 版/);
    expect((await call('GET', `/api/v1/kb/articles/${id}`, agent)).json().title['en-US']).toBe('Scanner does not connect');
  });

  it('an unknown cause code is refused naming the field and the code, in the caller language', async () => {
    const res = await call('POST', '/api/v1/kb/articles', agent, { title: both('x', 'x'), summary: both('', ''), body: both('', ''), causeCodes: ['hw.reader.chip', 'hw.toaster'] }, 'zh-CN');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ path: 'body.causeCodes.1', message: '未知的故障原因代码"hw.toaster"。请从故障分类中选择。' }]);
  });

  it('a card number in an article is refused naming the field, and nothing is stored', async () => {
    const before = (await call('GET', '/api/v1/kb/search?status=all', agent)).json().total;
    const res = await call('POST', '/api/v1/kb/articles', agent, {
      title: both('拒付', 'Refused'),
      summary: both('', ''),
      body: both('', ''),
      steps: [{ text: both('卡号 4111 1111 1111 1111 被拒', 'card refused') }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('body.steps.0.text.zh-CN');
    expect((await call('GET', '/api/v1/kb/search?status=all', agent)).json().total).toBe(before);
  });

  it('publishing needs title and summary in both languages; the missing ones are named', async () => {
    const draft = (await call('POST', '/api/v1/kb/articles', agent, { title: both('只有中文', ''), summary: both('摘要', ''), body: both('正文', '') })).json();
    const res = await call('POST', `/api/v1/kb/articles/${draft.id}/status`, agent, { status: 'published' }, 'zh-CN');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ id: 'kb.publish_incomplete', message: '发布前请用中文和英文分别填写标题和摘要。' });
    expect(res.json().error.details.map((d: Json) => d.path)).toEqual(['body.title.en-US', 'body.summary.en-US']);
  });

  it('publish and archive are new versions; merchants read published articles only', async () => {
    expect((await call('GET', `/api/v1/kb/articles/${id}`, merchant)).statusCode).toBe(404);
    const pub = (await call('POST', `/api/v1/kb/articles/${id}/status`, agent, { status: 'published', note: 'reviewed' })).json();
    expect(pub).toMatchObject({ status: 'published', version: 4 });
    expect(pub.publishedAt).toBe(t.clock.now().toISOString());
    const read = await call('GET', `/api/v1/kb/articles/${id}?view=1`, merchant);
    expect(read.statusCode).toBe(200);
    expect(read.json().views).toBe(1);
    expect(read.json().sourceTicketNumber).toBeNull();
    const arch = (await call('POST', `/api/v1/kb/articles/${id}/status`, agent, { status: 'archived' })).json();
    expect(arch).toMatchObject({ status: 'archived', version: 5 });
    expect((await call('GET', `/api/v1/kb/articles/${id}`, merchant)).statusCode).toBe(404);
    // Archived articles leave the default search and come back with status=archived.
    expect((await search('扫码枪')).items.map((i: Json) => i.id)).not.toContain(id);
    expect((await search('扫码枪', agent, '&status=archived')).items.map((i: Json) => i.id)).toContain(id);
    const actions = (await call('GET', `/api/v1/kb/articles/${id}/versions`, agent)).json().items.map((v: Json) => v.action);
    expect(actions.slice(0, 2)).toEqual(['archived', 'published']);
  });

  it('merchants cannot write articles or see version history', async () => {
    expect((await call('POST', '/api/v1/kb/articles', merchant, { title: both('x', 'x'), summary: both('', ''), body: both('', '') })).statusCode).toBe(403);
    expect((await call('GET', `/api/v1/kb/articles/${id}/versions`, merchant)).statusCode).toBe(403);
  });
});

describe('was this helpful', () => {
  it('one answer per person, which they may change; the counts follow', async () => {
    const jam = (await search('打印机卡纸', merchant)).items[0];
    let r = (await call('POST', `/api/v1/kb/articles/${jam.id}/feedback`, merchant, { helpful: true })).json();
    expect(r).toMatchObject({ helpful: 1, notHelpful: 0, myFeedback: true });
    r = (await call('POST', `/api/v1/kb/articles/${jam.id}/feedback`, merchant, { helpful: true })).json();
    expect(r).toMatchObject({ helpful: 1, notHelpful: 0 });
    r = (await call('POST', `/api/v1/kb/articles/${jam.id}/feedback`, merchant, { helpful: false })).json();
    expect(r).toMatchObject({ helpful: 0, notHelpful: 1, myFeedback: false });
    r = (await call('POST', `/api/v1/kb/articles/${jam.id}/feedback`, agent, { helpful: true })).json();
    expect(r).toMatchObject({ helpful: 1, notHelpful: 1, myFeedback: true });
  });
});

describe('pictures', () => {
  let imageId: string;
  let articleId: string;

  it('a PNG is stored and served back with its content type to signed-in users of the organization', async () => {
    const up = multipartFile('reader.png', PNG);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/kb/images', headers: { cookie: agent, ...up.headers }, payload: up.payload });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ contentType: 'image/png', bytes: PNG.length });
    imageId = res.json().id;
    const got = await t.app.inject({ url: res.json().url, headers: { cookie: agent } });
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(got.rawPayload, PNG)).toBe(0);
    expect((await t.app.inject({ url: res.json().url })).statusCode).toBe(401);
    expect((await t.app.inject({ url: res.json().url, headers: { cookie: adminB } })).statusCode).toBe(404);
  });

  it('merchants see a picture once its article is published', async () => {
    expect((await t.app.inject({ url: `/api/v1/kb/images/${imageId}`, headers: { cookie: merchant } })).statusCode).toBe(404);
    const a = await published({
      title: both('清洁读卡口', 'Cleaning the card slot'),
      summary: both('图示清洁方法', 'How to clean it, with a picture'),
      body: both('按图清洁。', 'Clean as shown.'),
      steps: [{ text: both('用清洁卡清理', 'Use a cleaning card'), imageId }],
    });
    articleId = a.id;
    expect(a.steps[0].imageId).toBe(imageId);
    expect((await t.app.inject({ url: `/api/v1/kb/images/${imageId}`, headers: { cookie: merchant } })).statusCode).toBe(200);
  });

  it("a step cannot name another organization's or another article's picture", async () => {
    const up = multipartFile('b.png', PNG);
    const idB = (await t.app.inject({ method: 'POST', url: '/api/v1/kb/images', headers: { cookie: adminB, ...up.headers }, payload: up.payload })).json().id;
    for (const img of [idB, imageId]) {
      const res = await call('POST', '/api/v1/kb/articles', agent, { title: both('x', 'x'), summary: both('', ''), body: both('', ''), steps: [{ text: both('a', 'a'), imageId: img }] });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details[0]).toMatchObject({ path: 'body.steps.0.imageId' });
    }
    expect(articleId).toBeTruthy();
  });

  it('files that are not PNG, JPEG or WebP are refused whatever their name, and so are pictures over the limit', async () => {
    const txt = multipartFile('evil.png', 'not a picture');
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/kb/images', headers: { cookie: agent, 'accept-language': 'zh-CN', ...txt.headers }, payload: txt.payload });
    expect(bad.statusCode).toBe(415);
    expect(bad.json().error.message).toBe('图片必须是 PNG、JPEG 或 WebP 格式。');
    const big = multipartFile('big.png', Buffer.concat([PNG, Buffer.alloc(KB_IMAGE_MAX_BYTES)]));
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/kb/images', headers: { cookie: agent, ...big.headers }, payload: big.payload });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.id).toBe('kb.image_too_large');
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/kb/images', headers: { cookie: merchant, ...txt.headers }, payload: txt.payload })).statusCode).toBe(403);
  });
});

describe('make a case study from a resolved ticket', () => {
  let ticketId: string;
  let number: string;

  beforeAll(async () => {
    const created = (await call('POST', '/api/v1/tickets', agent, { terminalId: A.terminal.id, title: '小票打一半就卡住', description: '打印到一半卡纸，拉出后又卡', causeCode: 'hw.printer.jam' })).json();
    ticketId = created.ticket.id;
    number = created.ticket.number;
    const move = async (body: Json) => expect((await call('POST', `/api/v1/tickets/${ticketId}/transition`, agent, body)).statusCode).toBe(200);
    await move({ to: 'triaged', category: 'hardware' });
    await move({ to: 'locating' });
    await move({ to: 'planned', plan: { kind: 'onsite_repair', summary: '上门更换压纸辊' } });
    await move({ to: 'in_progress', reason: '工程师已出发' });
    await call('POST', `/api/v1/tickets/${ticketId}/comments`, agent, { body: '已更换压纸辊并清理碎纸' });
    await call('POST', `/api/v1/tickets/${ticketId}/comments`, agent, { body: '内部：压纸辊库存少', internal: true });
    await move({ to: 'verifying' });
    await move({ to: 'resolved', override: true, reason: '现场打印 10 张测试页正常' });
  });

  it('is refused for a ticket that is not resolved yet', async () => {
    const open = (await call('POST', '/api/v1/tickets', agent, { title: '打印机异响' })).json().ticket.id;
    const res = await call('POST', '/api/v1/kb/case-studies', agent, { ticketId: open }, 'zh-CN');
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toBe('只有已解决或已关闭的工单才能生成案例（该工单当前为"new"）。');
  });

  it('creates a draft pre-filled from the ticket: problem, cause, plan, public steps, verification, source', async () => {
    const res = await call('POST', '/api/v1/kb/case-studies', agent, { ticketId });
    expect(res.statusCode, res.body).toBe(201);
    const { article, existing } = res.json();
    expect(existing).toBe(false);
    expect(article).toMatchObject({ status: 'draft', version: 1, sourceTicketId: ticketId, sourceTicketNumber: number, causeCodes: ['hw.printer.jam'], tags: ['case-study'] });
    expect(article.title).toEqual({ 'zh-CN': '案例：小票打一半就卡住', 'en-US': 'Case study: 小票打一半就卡住' });
    for (const l of ['zh-CN', 'en-US']) {
      expect(article.body[l]).toContain('打印到一半卡纸，拉出后又卡');
      expect(article.body[l]).toContain('上门更换压纸辊');
      expect(article.body[l]).toContain('现场打印 10 张测试页正常');
      expect(article.body[l]).toContain(number);
    }
    expect(article.body['en-US']).toContain('Cause');
    expect(article.body['zh-CN']).toContain('故障原因');
    const steps = article.steps.map((s: Json) => s.text['zh-CN']);
    expect(steps).toEqual(['处理方案：上门维修: 上门更换压纸辊', '处理中: 工程师已出发', '已更换压纸辊并清理碎纸', '验证修复结果: 终端信号尚未确认修复，由坐席确认解决，理由：现场打印 10 张测试页正常']);
    // Internal notes never reach an article.
    expect(JSON.stringify(article)).not.toContain('压纸辊库存少');
    const versions = (await call('GET', `/api/v1/kb/articles/${article.id}/versions`, agent)).json().items;
    expect(versions[0]).toMatchObject({ action: 'case_study', note: number });
    const ticket = (await call('GET', `/api/v1/tickets/${ticketId}`, agent)).json();
    expect(ticket.events.at(-1)).toMatchObject({ type: 'case_study', to: article.id, internal: true });
  });

  it('a second call for the same ticket returns the same draft', async () => {
    const first = (await call('POST', '/api/v1/kb/case-studies', agent, { ticketId })).json();
    expect(first.existing).toBe(true);
    const again = await call('POST', '/api/v1/kb/case-studies', admin, { ticketId });
    expect(again.statusCode).toBe(200);
    expect(again.json().article.id).toBe(first.article.id);
    const n = (await search('小票打一半就卡住', agent, '&status=all')).items.filter((i: Json) => i.causeCodes.includes('hw.printer.jam') && i.title.startsWith('Case study')).length;
    expect(n).toBe(1);
  });

  it("another organization's ticket is not found, and merchants cannot make case studies", async () => {
    expect((await call('POST', '/api/v1/kb/case-studies', adminB, { ticketId })).statusCode).toBe(404);
    expect((await call('POST', '/api/v1/kb/case-studies', merchant, { ticketId })).statusCode).toBe(403);
  });
});
