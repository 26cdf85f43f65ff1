/**
 * Field service and parts: work orders from tickets (numbered, assigned to engineers, checklists from
 * templates), the visit's steps on the ticket timeline (public progress for the merchant, internal
 * details for staff), parts taken from depot stock without ever going negative, photos, the customer's
 * sign-off, completion rules, stock receive/transfer/adjust with movements, and terminal swaps that move
 * both terminals through their lifecycle and keep the chain of custody.
 */
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './harness.js';
import { multipartFile } from './multipart.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let B: Awaited<ReturnType<TestApp['tenant']>>;
let agent: string;
let engineer: string;
let engineerId: string;
let engineer2: string;
let engineer2Id: string;
let merchant: string;
let adminB: string;
let ticketId: string;
let depotId: string;
let depot2Id: string;
let readerId: string;
let paperId: string;

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, cookie: string, payload?: unknown, lang = 'en-US') =>
  t.app.inject({ method, url, headers: { cookie, 'accept-language': lang }, ...(payload === undefined ? {} : { payload: payload as object }) });

/** A real PNG (w×h, greyscale) built by hand, as a signature pad would send it. */
function png(w = 40, h = 20): Buffer {
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
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((w + 1) * h, 255);
  for (let y = 0; y < h; y++) raw[y * (w + 1)] = 0;
  for (let x = 0; x < w; x++) raw[Math.floor(h / 2) * (w + 1) + 1 + x] = 0; // a stroke
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
const signature = () => `data:image/png;base64,${png().toString('base64')}`;
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(400, 7)]);

async function stockOf(depot: string, part: string): Promise<number> {
  const res = await call('GET', `/api/v1/stock?depotId=${depot}`, agent);
  return res.json().items.find((r: { partId: string }) => r.partId === part).quantity;
}

async function newTicket(title: string, plan: 'onsite_repair' | 'replacement', causeCode = 'hw.reader.chip'): Promise<string> {
  const created = await call('POST', '/api/v1/tickets', agent, { terminalId: A.terminal.id, title, causeCode });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().ticket.id as string;
  for (const step of [{ to: 'triaged', category: 'hardware' }, { to: 'locating' }, { to: 'planned', plan: { kind: plan, summary: 'engineer visit' } }, { to: 'in_progress' }]) {
    const r = await call('POST', `/api/v1/tickets/${id}/transition`, agent, step);
    expect(r.statusCode, r.body).toBe(200);
  }
  return id;
}

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  B = await t.tenant();
  agent = await t.login((await t.f.user(A.org.id, 'agent')).email);
  const e1 = await t.f.user(A.org.id, 'engineer', { name: '李强' });
  engineerId = e1.id;
  engineer = await t.login(e1.email);
  const e2 = await t.f.user(A.org.id, 'engineer');
  engineer2Id = e2.id;
  engineer2 = await t.login(e2.email);
  merchant = await t.login(A.merchantUser.email);
  adminB = await t.login(B.admin.email);
  // The terminal is in service at the merchant's site.
  const admin = await t.login(A.admin.email);
  expect((await call('POST', `/api/v1/terminals/${A.terminal.id}/lifecycle`, admin, { to: 'active' })).statusCode).toBe(200);
  await t.db.rawTransaction((tx) => tx.query("UPDATE sites SET address = '上海市黄浦区南京东路 100 号' WHERE id = $1", [A.site.id]));

  depotId = (await call('POST', '/api/v1/depots', agent, { code: 'SH-PD', name: '浦东备件库', region: '上海' })).json().id;
  depot2Id = (await call('POST', '/api/v1/depots', agent, { code: 'SH-XH', name: '徐汇备件库', region: '上海' })).json().id;
  const reader = await call('POST', '/api/v1/parts', agent, { sku: 'RDR-IC-01', kind: 'reader', name: { 'zh-CN': 'IC 卡读卡模块', 'en-US': 'Chip reader module' }, reorderLevel: 2 });
  expect(reader.statusCode, reader.body).toBe(201);
  readerId = reader.json().id;
  paperId = (await call('POST', '/api/v1/parts', agent, { sku: 'PAPER-57', kind: 'paper_roll', name: { 'zh-CN': '热敏纸', 'en-US': 'Paper roll' }, unit: 'roll', reorderLevel: 10 })).json().id;
  expect((await call('POST', '/api/v1/stock/receive', agent, { depotId, partId: readerId, quantity: 1 })).statusCode).toBe(200);
  expect((await call('POST', '/api/v1/stock/receive', agent, { depotId, partId: paperId, quantity: 40 })).statusCode).toBe(200);
  ticketId = await newTicket('插卡无反应', 'onsite_repair');
});
afterAll(async () => t?.close());

let woId: string;

describe('work orders', () => {
  it('an agent creates one from a ticket: numbered W000001, assigned, the site address, a checklist for the kind and the ticket cause', async () => {
    const res = await call('POST', '/api/v1/work-orders', agent, { ticketId, kind: 'repair', assigneeId: engineerId, depotId, scheduledAt: '2026-03-02T14:00:00+08:00', instructions: 'Bring a chip reader' });
    expect(res.statusCode, res.body).toBe(201);
    const wo = res.json();
    woId = wo.id;
    expect(wo).toMatchObject({ number: 'W000001', status: 'assigned', kind: 'repair', assigneeId: engineerId, assigneeName: '李强', terminalId: A.terminal.id, address: '上海市黄浦区南京东路 100 号', depotId, ticketNumber: 'T000001' });
    const ids = wo.checklist.map((i: { id: string }) => i.id);
    expect(ids).toEqual(expect.arrayContaining(['identify', 'confirm_fault', 'replace_part', 'inspect_reader', 'test_payment']));
    expect(ids).not.toContain('swap_terminal');
    expect(wo.checklist[0].text['zh-CN']).toBeTruthy();
    expect(wo.checklist[0].text['en-US']).toBeTruthy();
    expect(wo.ticket).toMatchObject({ number: 'T000001', plan: { kind: 'onsite_repair' }, causeCode: 'hw.reader.chip' });
    expect(wo.terminal).toMatchObject({ serialNumber: A.terminal.serialNumber, lifecycleState: 'active' });
    expect(wo.terminal.history.length).toBeGreaterThan(0);
    expect(wo.missing).toEqual(['signoff', 'checklist']);
    // The next one of the organization is W000002; another organization starts at W000001.
    const second = await call('POST', '/api/v1/work-orders', agent, { terminalId: A.terminal.id, kind: 'maintenance', assigneeId: engineer2Id });
    expect(second.json().number).toBe('W000002');
    expect(second.json().checklist.map((i: { id: string }) => i.id)).toContain('clean');
  });

  it('the merchant sees "visit arranged" on the ticket timeline in their language; the assignment stays internal', async () => {
    const seen = (await call('GET', `/api/v1/tickets/${ticketId}`, merchant)).json();
    const wo = seen.events.filter((e: { type: string }) => e.type === 'work_order');
    expect(wo).toHaveLength(1);
    expect(wo[0].body).toContain('W000001');
    expect(wo[0].body).toContain('已安排工程师');
    const staff = (await call('GET', `/api/v1/tickets/${ticketId}`, agent)).json();
    expect(staff.events.some((e: { type: string; internal: boolean; body: string }) => e.type === 'work_order' && e.internal && e.body.includes('李强'))).toBe(true);
  });

  it('is assigned only to active staff of the organization; naming another tenant\'s ticket or terminal finds nothing', async () => {
    const toMerchant = await call('POST', '/api/v1/work-orders', agent, { ticketId, kind: 'repair', assigneeId: A.merchantUser.id });
    expect(toMerchant.statusCode).toBe(400);
    expect(toMerchant.json().error.details[0].path).toBe('body.assigneeId');
    expect((await call('POST', '/api/v1/work-orders', agent, { ticketId, kind: 'repair', assigneeId: B.admin.id })).statusCode).toBe(400);
    const nowhere = await call('POST', '/api/v1/work-orders', agent, { kind: 'repair', assigneeId: engineerId }, 'zh-CN');
    expect(nowhere.statusCode).toBe(400);
    expect(nowhere.json().error.details[0]).toMatchObject({ path: 'body.terminalId', message: expect.stringContaining('终端') });
    expect((await call('POST', '/api/v1/work-orders', adminB, { ticketId, kind: 'repair', assigneeId: B.admin.id })).statusCode).toBe(404);
    expect((await call('POST', '/api/v1/work-orders', adminB, { terminalId: A.terminal.id, kind: 'repair', assigneeId: B.admin.id })).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/work-orders/${woId}`, adminB)).statusCode).toBe(404);
  });

  it('engineers cannot create or reassign work orders, and merchants cannot see them at all', async () => {
    expect((await call('POST', '/api/v1/work-orders', engineer, { ticketId, kind: 'repair', assigneeId: engineerId })).statusCode).toBe(403);
    expect((await call('POST', `/api/v1/work-orders/${woId}/assign`, engineer, { assigneeId: engineerId })).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/work-orders', merchant)).statusCode).toBe(403);
    expect((await call('GET', `/api/v1/work-orders/${woId}`, merchant)).statusCode).toBe(403);
  });

  it('"my work orders" lists only the engineer\'s own; the full list shows the whole organization\'s', async () => {
    const mine = (await call('GET', '/api/v1/work-orders?assigneeId=me', engineer)).json();
    expect(mine.items.map((w: { number: string }) => w.number)).toEqual(['W000001']);
    const all = (await call('GET', '/api/v1/work-orders', engineer)).json();
    expect(all.total).toBe(2);
    expect((await call('GET', `/api/v1/work-orders?ticketId=${ticketId}`, agent)).json().items).toHaveLength(1);
    expect((await call('GET', '/api/v1/work-orders', adminB)).json().total).toBe(0);
  });

  it('refuses a move the flow does not allow with 409 in the caller\'s language, and nothing changes', async () => {
    const res = await call('POST', `/api/v1/work-orders/${woId}/status`, engineer, { to: 'completed', outcome: 'fixed' }, 'zh-CN');
    expect(res.statusCode).toBe(409);
    expect(res.json().error.id).toBe('workorder.illegal_transition');
    expect(res.json().error.message).toContain('已派单');
    expect(res.json().error.message).toContain('已完工');
    expect((await call('GET', `/api/v1/work-orders/${woId}`, engineer)).json().status).toBe('assigned');
  });

  it('only the assigned engineer (or a dispatcher) moves it', async () => {
    const other = await call('POST', `/api/v1/work-orders/${woId}/status`, engineer2, { to: 'en_route' });
    expect(other.statusCode).toBe(403);
    expect(other.json().error.id).toBe('workorder.not_assignee');
    expect((await call('GET', `/api/v1/work-orders/${woId}`, engineer2)).json().next).toEqual([]);
  });

  it('"on the way" and "on site" reach the merchant\'s timeline, with the arrival time recorded', async () => {
    expect((await call('GET', `/api/v1/work-orders/${woId}`, engineer)).json().next).toEqual(['en_route', 'on_site']);
    t.clock.advance(30 * 60_000);
    expect((await call('POST', `/api/v1/work-orders/${woId}/status`, engineer, { to: 'en_route' })).json().status).toBe('en_route');
    t.clock.advance(40 * 60_000);
    const onSite = (await call('POST', `/api/v1/work-orders/${woId}/status`, engineer, { to: 'on_site' })).json();
    expect(onSite.status).toBe('on_site');
    expect(onSite.arrivedAt).toBe(t.clock.now().toISOString());
    const seen = (await call('GET', `/api/v1/tickets/${ticketId}`, merchant)).json();
    const steps = seen.events.filter((e: { type: string }) => e.type === 'work_order').map((e: { to: string; body: string }) => `${e.to}: ${e.body}`);
    expect(steps).toEqual([expect.stringMatching(/^assigned: .*已安排/), expect.stringMatching(/^en_route: .*工程师已出发/), expect.stringMatching(/^on_site: .*工程师已到达现场/)]);
  });

  it('a card number typed into the notes is refused naming the field, and not stored', async () => {
    const res = await call('PATCH', `/api/v1/work-orders/${woId}`, engineer, { notes: 'customer card 4111 1111 1111 1111 failed' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('body.notes');
    const ok = await call('PATCH', `/api/v1/work-orders/${woId}`, engineer, { notes: 'Reader slot full of dust' });
    expect(ok.json().notes).toBe('Reader slot full of dust');
    // Instructions are the dispatcher's.
    expect((await call('PATCH', `/api/v1/work-orders/${woId}`, engineer, { instructions: 'x' })).statusCode).toBe(403);
  });
});

describe('parts used on a visit', () => {
  it('using 2 readers from a depot with 1 is refused and leaves stock unchanged', async () => {
    const res = await call('POST', `/api/v1/work-orders/${woId}/parts`, engineer, { partId: readerId, quantity: 2 }, 'zh-CN');
    expect(res.statusCode).toBe(409);
    expect(res.json().error.id).toBe('parts.insufficient_stock');
    expect(res.json().error.message).toContain('现有 1');
    expect(await stockOf(depotId, readerId)).toBe(1);
    const wo = (await call('GET', `/api/v1/work-orders/${woId}`, engineer)).json();
    expect(wo.parts).toEqual([]);
  });

  it('using 1 reader takes it off the depot stock in a "use" movement linked to the work order, internal on the ticket', async () => {
    const res = await call('POST', `/api/v1/work-orders/${woId}/parts`, engineer, { partId: readerId, quantity: 1 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().parts).toMatchObject([{ sku: 'RDR-IC-01', name: 'Chip reader module', quantity: 1, depotCode: 'SH-PD' }]);
    expect(await stockOf(depotId, readerId)).toBe(0);
    const moves = (await call('GET', `/api/v1/stock/movements?workOrderId=${woId}`, agent)).json();
    expect(moves.items).toMatchObject([{ reason: 'use', delta: -1, workOrderNumber: 'W000001', ticketId, actor: '李强' }]);
    const seen = (await call('GET', `/api/v1/tickets/${ticketId}`, merchant)).json();
    expect(seen.events.some((e: { body: string | null }) => e.body?.includes('RDR-IC-01'))).toBe(false);
    const staff = (await call('GET', `/api/v1/tickets/${ticketId}`, agent)).json();
    expect(staff.events.some((e: { body: string | null; internal: boolean }) => e.internal && e.body?.includes('RDR-IC-01'))).toBe(true);
    // Stock at zero is at or under the reorder level of 2: flagged low and listed first.
    const low = (await call('GET', '/api/v1/stock?low=true', agent)).json();
    expect(low.items.map((r: { sku: string; depotCode: string }) => `${r.depotCode}/${r.sku}`)).toEqual(['SH-PD/RDR-IC-01', 'SH-XH/PAPER-57', 'SH-XH/RDR-IC-01']);
  });
});

describe('photos', () => {
  it('a JPEG is stored, listed and served to the organization\'s staff only; other files are refused', async () => {
    const mp = multipartFile('slot.jpg', JPEG);
    const up = await t.app.inject({ method: 'POST', url: `/api/v1/work-orders/${woId}/photos?caption=reader%20slot`, headers: { cookie: engineer, ...mp.headers }, payload: mp.payload });
    expect(up.statusCode, up.body).toBe(201);
    const photo = up.json().photos[0];
    expect(photo).toMatchObject({ contentType: 'image/jpeg', bytes: JPEG.length, caption: 'reader slot', createdBy: '李强' });
    const got = await t.app.inject({ url: photo.url, headers: { cookie: agent } });
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('image/jpeg');
    expect(Buffer.compare(got.rawPayload, JPEG)).toBe(0);
    expect((await t.app.inject({ url: photo.url, headers: { cookie: adminB } })).statusCode).toBe(404);
    expect((await t.app.inject({ url: photo.url, headers: { cookie: merchant } })).statusCode).toBe(403);
    expect((await t.app.inject({ url: photo.url })).statusCode).toBe(401);
    const text = multipartFile('evil.jpg', '<script>alert(1)</script>');
    const bad = await t.app.inject({ method: 'POST', url: `/api/v1/work-orders/${woId}/photos`, headers: { cookie: engineer, 'accept-language': 'zh-CN', ...text.headers }, payload: text.payload });
    expect(bad.statusCode).toBe(415);
    expect(bad.json().error.message).toContain('JPEG');
  });

  it('a photo over the size limit is refused with the limit named', async () => {
    const big = multipartFile('big.jpg', Buffer.concat([JPEG, Buffer.alloc(8 * 1024 * 1024, 1)]));
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/work-orders/${woId}/photos`, headers: { cookie: engineer, ...big.headers }, payload: big.payload });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.message).toContain('8 MB');
  });
});

describe('sign-off and completion', () => {
  it('completing needs the customer sign-off and every required checklist item, naming what is missing', async () => {
    const res = await call('POST', `/api/v1/work-orders/${woId}/status`, engineer, { to: 'completed', outcome: 'fixed' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.id).toBe('workorder.cannot_complete');
    const paths = res.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(['signoff', 'checklist']);
    expect(res.json().error.details[1].message).toContain('Run a test payment');
    expect((await call('GET', `/api/v1/work-orders/${woId}`, engineer)).json().status).toBe('on_site');
  });

  it('a signature that is not a PNG image is refused naming the field', async () => {
    const res = await call('POST', `/api/v1/work-orders/${woId}/signoff`, engineer, { signerName: '王店长', signature: `data:image/png;base64,${JPEG.toString('base64')}` });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('body.signature');
  });

  it('ticking the checklist records who and when; an unknown item is refused', async () => {
    expect((await call('POST', `/api/v1/work-orders/${woId}/checklist`, engineer, { itemId: 'nope', done: true })).statusCode).toBe(400);
    const wo = (await call('GET', `/api/v1/work-orders/${woId}`, engineer)).json();
    let last;
    for (const item of wo.checklist.filter((i: { required: boolean }) => i.required)) {
      last = (await call('POST', `/api/v1/work-orders/${woId}/checklist`, engineer, { itemId: item.id, done: true })).json();
    }
    const ticked = last.checklist.find((i: { id: string }) => i.id === 'test_payment');
    expect(ticked).toMatchObject({ done: true, doneBy: '李强', doneAt: t.clock.now().toISOString() });
    expect(last.missing).toEqual(['signoff']);
  });

  it('with the sign-off it completes, records the outcome, tells the merchant — and leaves the ticket for the agent to verify', async () => {
    const signed = await call('POST', `/api/v1/work-orders/${woId}/signoff`, engineer, { signerName: '王店长', signature: signature() });
    expect(signed.statusCode, signed.body).toBe(200);
    expect(signed.json().signoff).toMatchObject({ signerName: '王店长', by: '李强' });
    expect(signed.json().missing).toEqual([]);
    const noOutcome = await call('POST', `/api/v1/work-orders/${woId}/status`, engineer, { to: 'completed' });
    expect(noOutcome.statusCode).toBe(409);
    expect(noOutcome.json().error.details[0].path).toBe('body.outcome');
    const done = await call('POST', `/api/v1/work-orders/${woId}/status`, engineer, { to: 'completed', outcome: 'fixed' });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ status: 'completed', outcome: 'fixed', completedAt: t.clock.now().toISOString(), next: [] });
    const ticket = (await call('GET', `/api/v1/tickets/${ticketId}`, merchant)).json();
    expect(ticket.status).toBe('in_progress');
    expect(ticket.events.at(-1)).toMatchObject({ type: 'work_order', to: 'completed', internal: false });
    expect(ticket.events.at(-1).body).toContain('故障已修复');
    // A completed work order is closed for changes.
    const late = await call('POST', `/api/v1/work-orders/${woId}/parts`, engineer, { partId: paperId, quantity: 1 });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.id).toBe('workorder.closed');
  });

  it('cancelling needs a dispatcher and a reason; the merchant hears the visit is cancelled, not why', async () => {
    const wo = (await call('POST', '/api/v1/work-orders', agent, { ticketId, kind: 'maintenance', assigneeId: engineerId })).json();
    expect((await call('POST', `/api/v1/work-orders/${wo.id}/status`, engineer, { to: 'cancelled', reason: 'x' })).statusCode).toBe(403);
    const noReason = await call('POST', `/api/v1/work-orders/${wo.id}/status`, agent, { to: 'cancelled' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details[0].path).toBe('body.reason');
    const cancelled = (await call('POST', `/api/v1/work-orders/${wo.id}/status`, agent, { to: 'cancelled', reason: 'shop closed for renovation' })).json();
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'shop closed for renovation' });
    const seen = (await call('GET', `/api/v1/tickets/${ticketId}`, merchant)).json();
    expect(seen.events.at(-1).body).toContain('已取消');
    expect(JSON.stringify(seen.events)).not.toContain('renovation');
  });
});

describe('stock', () => {
  it('a transfer moves stock between depots in two movements; more than there is is refused and changes neither depot', async () => {
    const res = await call('POST', '/api/v1/stock/transfer', agent, { fromDepotId: depotId, toDepotId: depot2Id, partId: paperId, quantity: 15, note: 'weekly top-up' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items.map((r: { depotCode: string; quantity: number }) => `${r.depotCode}:${r.quantity}`)).toEqual(['SH-PD:25', 'SH-XH:15']);
    const moves = (await call('GET', `/api/v1/stock/movements?partId=${paperId}&limit=2`, agent)).json().items;
    expect(moves.map((m: { reason: string; delta: number }) => `${m.reason}${m.delta}`).sort()).toEqual(['transfer_in15', 'transfer_out-15']);
    const tooMany = await call('POST', '/api/v1/stock/transfer', agent, { fromDepotId: depotId, toDepotId: depot2Id, partId: paperId, quantity: 26 });
    expect(tooMany.statusCode).toBe(409);
    expect(await stockOf(depotId, paperId)).toBe(25);
    expect(await stockOf(depot2Id, paperId)).toBe(15);
    const same = await call('POST', '/api/v1/stock/transfer', agent, { fromDepotId: depotId, toDepotId: depotId, partId: paperId, quantity: 1 });
    expect(same.statusCode).toBe(400);
    expect(same.json().error.details[0].path).toBe('body.toDepotId');
  });

  it('an adjustment needs a reason and never takes stock under zero; every change names who and why', async () => {
    expect((await call('POST', '/api/v1/stock/adjust', agent, { depotId, partId: paperId, delta: -3 })).statusCode).toBe(400);
    expect((await call('POST', '/api/v1/stock/adjust', agent, { depotId, partId: paperId, delta: -26, note: 'count' })).statusCode).toBe(409);
    const ok = await call('POST', '/api/v1/stock/adjust', agent, { depotId, partId: paperId, delta: -3, note: 'stock count: 3 rolls wet' });
    expect(ok.json().items[0].quantity).toBe(22);
    const [last] = (await call('GET', `/api/v1/stock/movements?depotId=${depotId}&partId=${paperId}&limit=1`, agent)).json().items;
    expect(last).toMatchObject({ reason: 'adjust', delta: -3, note: 'stock count: 3 rolls wet', actor: expect.stringContaining('agent') });
  });

  it('engineers read stock but do not manage it; a duplicate SKU is refused naming it', async () => {
    expect((await call('GET', '/api/v1/stock', engineer)).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/stock/receive', engineer, { depotId, partId: paperId, quantity: 5 })).statusCode).toBe(403);
    const dupe = await call('POST', '/api/v1/parts', agent, { sku: 'PAPER-57', kind: 'paper_roll', name: { 'zh-CN': 'x', 'en-US': 'x' } }, 'zh-CN');
    expect(dupe.statusCode).toBe(409);
    expect(dupe.json().error.message).toContain('PAPER-57');
    expect((await call('POST', '/api/v1/stock/receive', adminB, { depotId, partId: paperId, quantity: 5 })).statusCode).toBe(404);
  });
});

describe('terminal swaps and the chain of custody', () => {
  let swapTicket: string;
  let swapWo: string;
  let spareId: string;
  let busyId: string;

  beforeAll(async () => {
    swapTicket = await newTicket('键盘进水，需换机', 'replacement', 'hw.keypad');
    const spare = await t.f.terminal(A.org.id, { serialNumber: 'SPARE-0001', lifecycleState: 'in_stock' });
    spareId = spare.id;
    busyId = (await t.f.terminal(A.org.id, { serialNumber: 'IN-REPAIR-1', lifecycleState: 'in_repair' })).id;
    // The spare sits in the depot.
    await t.db.rawTransaction((tx) =>
      tx.query("INSERT INTO terminal_custody (org_id, terminal_id, at, holder_kind, holder_id, holder_label, lifecycle_to, actor) VALUES ($1, $2, $3, 'depot', $4, 'SH-PD', 'in_stock', 'test')", [A.org.id, spareId, t.clock.now(), depotId]),
    );
    const wo = (await call('POST', '/api/v1/work-orders', agent, { ticketId: swapTicket, kind: 'replacement', assigneeId: engineerId, depotId })).json();
    swapWo = wo.id;
    expect(wo.checklist.map((i: { id: string }) => i.id)).toContain('swap_terminal');
    expect(wo.missing).toContain('swap');
  });

  it('offers spare terminals in stock, those in the work order depot first', async () => {
    const c = (await call('GET', `/api/v1/work-orders/${swapWo}/swap-candidates`, engineer)).json();
    expect(c.items[0]).toMatchObject({ id: spareId, serialNumber: 'SPARE-0001', depotId, inWorkOrderDepot: true });
    expect(c.items.map((x: { id: string }) => x.id)).not.toContain(busyId);
  });

  it('is refused before the engineer is on site, and for a terminal that is not in stock — nothing changes', async () => {
    const early = await call('POST', `/api/v1/work-orders/${swapWo}/swap`, engineer, { newTerminalId: spareId });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.id).toBe('workorder.not_on_site');
    await call('POST', `/api/v1/work-orders/${swapWo}/status`, engineer, { to: 'on_site' });
    const busy = await call('POST', `/api/v1/work-orders/${swapWo}/swap`, engineer, { newTerminalId: busyId }, 'zh-CN');
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error.message).toContain('维修中');
    const old = (await call('GET', `/api/v1/terminals/${A.terminal.id}`, agent)).json();
    expect(old.lifecycleState).toBe('active');
    expect((await call('GET', `/api/v1/terminals/${A.terminal.id}/custody`, agent)).json().items).toEqual([]);
  });

  it('a swap moves the old terminal to swapped_out and the new one to active at the same site, and both custody chains show it', async () => {
    t.clock.advance(60_000);
    const res = await call('POST', `/api/v1/work-orders/${swapWo}/swap`, engineer, { newTerminalId: spareId });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ oldTerminalId: A.terminal.id, newTerminalId: spareId, newSerialNumber: 'SPARE-0001', status: 'installed', depotId });

    const oldT = (await call('GET', `/api/v1/terminals/${A.terminal.id}`, agent)).json();
    const newT = (await call('GET', `/api/v1/terminals/${spareId}`, agent)).json();
    expect(oldT).toMatchObject({ lifecycleState: 'swapped_out', siteId: null });
    expect(newT).toMatchObject({ lifecycleState: 'active', siteId: A.site.id, merchantId: A.merchant.id });
    // Lifecycle history through the lifecycle rules, with the work order as the reason.
    expect(newT.history.slice(0, 2).map((h: { fromState: string; toState: string; reason: string }) => `${h.fromState}→${h.toState} ${h.reason}`)).toEqual(
      expect.arrayContaining(['in_stock→installed swap W000004', 'installed→active swap W000004']),
    );
    expect(oldT.history[0]).toMatchObject({ fromState: 'active', toState: 'swapped_out', reason: 'swap W000004', actorName: '李强' });

    const oldChain = (await call('GET', `/api/v1/terminals/${A.terminal.id}/custody`, agent)).json();
    expect(oldChain.items.map((c: { holderKind: string; holderLabel: string; lifecycleTo: string | null }) => `${c.holderKind}:${c.holderLabel}:${c.lifecycleTo}`)).toEqual(['engineer:李强:swapped_out']);
    const newChain = (await call('GET', `/api/v1/terminals/${spareId}/custody`, agent)).json();
    expect(newChain.items.map((c: { holderKind: string; lifecycleFrom: string | null; lifecycleTo: string | null }) => `${c.holderKind}:${c.lifecycleFrom}→${c.lifecycleTo}`)).toEqual([
      'depot:null→in_stock',
      'engineer:null→null',
      'site:in_stock→active',
    ]);
    expect(newChain.items[2]).toMatchObject({ workOrderNumber: 'W000004', holderId: A.site.id });
    expect(newChain.swaps).toHaveLength(1);

    // The audit log has each lifecycle move.
    const audit = await t.db.rawTransaction((tx) => tx.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE entity = 'terminal' AND action = 'lifecycle' AND entity_id = ANY($1::text[]) AND at = $2", [[A.terminal.id, spareId], t.clock.now()]));
    expect(Number(audit[0]!.n)).toBe(3);
  });

  it('the ticket now follows the new terminal and tells the merchant, so verification reads the new terminal', async () => {
    const seen = (await call('GET', `/api/v1/tickets/${swapTicket}`, merchant)).json();
    expect(seen.terminalId).toBe(spareId);
    expect(seen.serialNumber).toBe('SPARE-0001');
    expect(seen.events.at(-1)).toMatchObject({ type: 'swap', from: A.terminal.serialNumber, to: 'SPARE-0001', internal: false });
    const again = await call('POST', `/api/v1/work-orders/${swapWo}/swap`, engineer, { newTerminalId: spareId });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.id).toBe('swap.already_swapped');
    const wo = (await call('GET', `/api/v1/work-orders/${swapWo}`, engineer)).json();
    expect(wo.swap).toMatchObject({ newTerminalId: spareId });
    expect(wo.missing).not.toContain('swap');
  });

  it('swaps happen on replacement work orders only', async () => {
    const repair = (await call('POST', '/api/v1/work-orders', agent, { terminalId: spareId, kind: 'repair', assigneeId: engineerId })).json();
    await call('POST', `/api/v1/work-orders/${repair.id}/status`, engineer, { to: 'on_site' });
    const res = await call('POST', `/api/v1/work-orders/${repair.id}/swap`, engineer, { newTerminalId: busyId });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.id).toBe('swap.wrong_kind');
  });

  it('handing the old terminal in at a depot puts it in repair, closes the custody chain at the depot and marks the swap returned', async () => {
    t.clock.advance(3 * 3_600_000);
    engineer = await t.login((await t.db.rawTransaction((tx) => tx.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [engineerId])))[0]!.email);
    const res = await call('POST', `/api/v1/terminals/${A.terminal.id}/custody/return`, engineer, { depotId: depot2Id, note: 'reader burnt' });
    expect(res.statusCode, res.body).toBe(200);
    const chain = res.json();
    expect(chain.lifecycleState).toBe('in_repair');
    expect(chain.items.at(-1)).toMatchObject({ holderKind: 'depot', holderId: depot2Id, lifecycleFrom: 'swapped_out', lifecycleTo: 'in_repair', note: 'reader burnt' });
    expect(chain.swaps[0].status).toBe('returned');
    expect((await call('POST', `/api/v1/terminals/${A.terminal.id}/custody/return`, engineer, { depotId })).statusCode).toBe(409);
    const swapCompleted = await call('POST', `/api/v1/work-orders/${swapWo}/status`, engineer, { to: 'completed', outcome: 'swapped' });
    expect(swapCompleted.statusCode).toBe(409); // not signed off, checklist open
  });
});
