/**
 * The ticket queue at scale (TicketService.list): open tickets by priority, then most recently changed;
 * text search by the words of title and description in Chinese (jieba) and English, and by number;
 * scoped to the organization and, for merchant users, their merchant; totals exact up to a cap and
 * flagged beyond it, so a page never waits for a million rows to be counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './harness.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let B: Awaited<ReturnType<TestApp['tenant']>>;
let agent: string;
let merchant: string;
let agentB: string;
const ids: Record<string, { id: string; number: string }> = {};

type Page = { items: { id: string; number: string; priority: string; merchantId: string | null; status: string }[]; total: number; totalCapped?: boolean };
const list = async (cookie: string, query: string): Promise<Page> => {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/tickets${query}`, headers: { cookie } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const open = async (cookie: string, body: Record<string, unknown>) => {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { cookie }, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  t.clock.advance(60_000);
  return res.json().ticket as { id: string; number: string };
};

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  B = await t.tenant();
  agent = await t.login((await t.f.user(A.org.id, 'agent')).email);
  merchant = await t.login(A.merchantUser.email);
  agentB = await t.login((await t.f.user(B.org.id, 'agent')).email);
  const other = await t.f.merchant(A.org.id);
  const otherSite = await t.f.site(A.org.id, other.id);
  const otherTerminal = await t.f.terminal(A.org.id, { merchantId: other.id, siteId: otherSite.id, lifecycleState: 'active' });
  ids.tap = await open(agent, { terminalId: A.terminal.id, title: '顾客挥卡没反应', description: '挥卡要试好几次才行，插卡可以', priority: 'p2' });
  ids.jam = await open(agent, { terminalId: otherTerminal.id, title: 'Receipt printer jams', description: 'The receipt gets stuck in the slot', priority: 'p1' });
  ids.print = await open(agent, { terminalId: A.terminal.id, title: '打印机不出小票', description: '收完款打印没反应', priority: 'p2' });
  ids.tapB = await open(agentB, { terminalId: B.terminal.id, title: '挥卡没反应', description: '挥卡失败', priority: 'p1' });
});
afterAll(async () => t?.close());

describe('the open queue', () => {
  it('lists the most urgent first, then the most recently changed', async () => {
    const page = await list(agent, '');
    expect(page.items.map((x) => x.number)).toEqual([ids.jam!.number, ids.print!.number, ids.tap!.number]);
    expect(page.total).toBe(3);
    expect(page.totalCapped).toBeUndefined();
  });

  it('pages past the end are empty and still tell the total', async () => {
    const page = await list(agent, '?limit=2&offset=2');
    expect(page.items.map((x) => x.number)).toEqual([ids.tap!.number]);
    expect(page.total).toBe(3);
    const beyond = await list(agent, '?limit=2&offset=10');
    expect(beyond.items).toEqual([]);
    expect(beyond.total).toBe(3);
  });
});

describe('searching the queue', () => {
  it('finds a ticket by a Chinese word of its title or description, never another organization\'s', async () => {
    const page = await list(agent, `?status=all&q=${encodeURIComponent('挥卡')}`);
    expect(page.items.map((x) => x.id)).toEqual([ids.tap!.id]);
    const theirs = await list(agentB, `?status=all&q=${encodeURIComponent('挥卡')}`);
    expect(theirs.items.map((x) => x.id)).toEqual([ids.tapB!.id]);
  });

  it('finds words by their beginning: 打印 finds 打印机, "jam" finds "jams", in any letter case', async () => {
    expect((await list(agent, `?status=all&q=${encodeURIComponent('打印')}`)).items.map((x) => x.id)).toEqual([ids.print!.id]);
    expect((await list(agent, '?status=all&q=jam')).items.map((x) => x.id)).toEqual([ids.jam!.id]);
    expect((await list(agent, '?status=all&q=RECEIPT%20Stuck')).items.map((x) => x.id)).toEqual([ids.jam!.id]);
    expect((await list(agent, '?status=all&q=receipt%20battery')).items).toEqual([]);
  });

  it('finds a ticket by its number', async () => {
    const page = await list(agent, `?status=all&q=${ids.print!.number.toLowerCase()}`);
    expect(page.items.map((x) => x.id)).toEqual([ids.print!.id]);
  });

  it('a merchant user finds only their own merchant\'s tickets', async () => {
    expect((await list(merchant, '?status=all&q=receipt')).total).toBe(0);
    const all = await list(merchant, '?status=all');
    expect(all.items.length).toBe(2);
    expect(all.items.every((x) => x.merchantId === A.merchant.id)).toBe(true);
  });

  it('tickets written before search words were stored are still found by their title', async () => {
    await t.db.rawTransaction((tx) => tx.query('UPDATE tickets SET search_tokens = NULL WHERE id = $1', [ids.print!.id]));
    expect((await list(agent, `?status=all&q=${encodeURIComponent('不出小票')}`)).items.map((x) => x.id)).toEqual([ids.print!.id]);
  });
});

describe('totals', () => {
  beforeAll(async () => {
    // 10,050 closed tickets of two years ago (SQL, not 10,050 requests).
    await t.db.rawTransaction((tx) =>
      tx.query(
        `INSERT INTO tickets (org_id, number, title, status, priority, source, created_at, updated_at, resolved_at, closed_at, search_tokens)
         SELECT $1, 'H' || lpad(n::text, 6, '0'), 'Old case ' || n, 'closed', 'p4', 'api', $2, $2, $2, $2, 'old case paper'
           FROM generate_series(1, 10050) AS n`,
        [A.org.id, new Date('2024-03-01T00:00:00Z')],
      ),
    );
  });

  it('are exact up to 10,000 and say "more" beyond, while the open queue stays exact', async () => {
    const all = await list(agent, '?status=all');
    expect(all).toMatchObject({ total: 10_000, totalCapped: true });
    expect(all.items[0]!.priority).toBe('p1');
    expect(await list(agent, '?status=closed&limit=10')).toMatchObject({ total: 10_000, totalCapped: true });
    const openQueue = await list(agent, '');
    expect(openQueue.total).toBe(3);
    expect(openQueue.totalCapped).toBeUndefined();
  });

  it('with a text search say whether another page follows, and are exact on the last page', async () => {
    const first = await list(agent, '?status=all&q=paper&limit=20');
    expect(first.items.length).toBe(20);
    expect(first).toMatchObject({ total: 21, totalCapped: true });
    const last = await list(agent, '?status=all&q=paper&limit=20&offset=10040');
    expect(last.items.length).toBe(10);
    expect(last.total).toBe(10_050);
    expect(last.totalCapped).toBeUndefined();
    expect(await list(agent, '?status=all&q=H000042')).toMatchObject({ total: 1, items: [{ number: 'H000042' }] });
  });

  it('never say fewer tickets than the page already shows', async () => {
    const deep = await list(agent, '?status=all&limit=100&offset=10000');
    expect(deep.items.length).toBe(53);
    expect(deep.total).toBe(10_053);
  });
});
