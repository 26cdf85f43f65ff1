/**
 * The service-desk report: MTTR (mean, median, per week), first-time fix, SLA compliance, backlog age,
 * satisfaction and top causes, computed from tickets made through the API on a fake clock; and the same
 * figures in the CSV and XLSX exports, with headers in the caller's language.
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './harness.js';

let t: TestApp;
let org: { id: string };
let M1: { id: string };
let M2: { id: string };
let agent: { id: string; email: string };
let merchant1: { email: string };
let merchant2: { email: string };
let risk: { email: string };
let otherOrgMerchant: { id: string };
const ids: Record<string, string> = {};

const HOUR = 3_600_000;
const cookies = new Map<string, { cookie: string; at: number }>();
async function as(email: string): Promise<string> {
  const now = t.clock.now().getTime();
  const known = cookies.get(email);
  if (known && now >= known.at && now - known.at < 11 * HOUR) return known.cookie;
  const cookie = await t.login(email);
  cookies.set(email, { cookie, at: now });
  return cookie;
}
const call = async (method: 'GET' | 'POST', url: string, email: string, payload?: unknown, lang = 'en-US') =>
  t.app.inject({ method, url, headers: { cookie: await as(email), 'accept-language': lang }, ...(payload === undefined ? {} : { payload: payload as object }) });
const at = (local: string) => t.clock.set(new Date(`${local}+08:00`));

async function open(name: string, body: object): Promise<void> {
  const res = await call('POST', '/api/v1/tickets', agent.email, { title: name, ...body });
  expect(res.statusCode, res.body).toBe(201);
  ids[name] = res.json().ticket.id;
  expect((await call('POST', `/api/v1/tickets/${ids[name]}/assign`, agent.email, { assigneeId: agent.id })).statusCode).toBe(200);
}

async function resolve(name: string): Promise<void> {
  const id = ids[name]!;
  for (const s of [{ to: 'triaged' }, { to: 'locating' }, { to: 'planned', plan: { kind: 'remote_fix', summary: 'fix' } }, { to: 'in_progress' }, { to: 'verifying' }]) {
    const r = await call('POST', `/api/v1/tickets/${id}/transition`, agent.email, s);
    expect(r.statusCode, r.body).toBe(200);
  }
  const done = await call('POST', `/api/v1/tickets/${id}/transition`, agent.email, { to: 'resolved', override: true, reason: 'confirmed by phone' });
  expect(done.statusCode, done.body).toBe(200);
}

const sql = (text: string, params: unknown[]) => t.db.rawTransaction((tx) => tx.query(text, params));
const PERIOD = 'from=2026-03-02&to=2026-03-12';

/**
 * Two weeks of one organization's service desk (Asia/Shanghai times):
 *   T1 A920/3.2.0 Shanghai M1 hw.printer.jam   Mon 03-02 09:00 → 13:00 (4 h)       rated 5
 *   T2 A920/3.2.0 Shanghai M1 hw.printer.jam   Mon 03-02 09:00 → Tue 09:00 (24 h)  SLA breached, rated 2
 *   T3 V2/3.1.0   Beijing  M2 net.signal.weak  Mon 03-02 10:00 → Wed 10:00 (48 h)  reopened once
 *   T4 V2/3.1.0   Beijing  M2 net.signal.weak  Mon 03-09 09:00 → 11:00 (2 h)       two work orders, rated 4
 *   open: T5 A920/3.1.0 Shanghai hw.reader.chip p1 (03-10, past due) · T6 Beijing site, unclassified p3 (03-02, past due)
 *         T7 V2/3.1.0 Beijing sw.app.crash p2 (03-12 08:00) · T8 Shanghai site, unclassified p4 (03-07)
 * The report is read on Thu 03-12 09:00.
 */
beforeAll(async () => {
  t = await createTestApp();
  const o = await t.f.org();
  org = o;
  M1 = await t.f.merchant(o.id, { name: '华联超市' });
  M2 = await t.f.merchant(o.id, { name: 'Blue Cafe' });
  const S1 = await t.f.site(o.id, M1.id, { region: 'Shanghai' });
  const S2 = await t.f.site(o.id, M2.id, { region: 'Beijing' });
  const term = (siteId: string, merchantId: string, model: string, appVersion: string) => t.f.terminal(o.id, { siteId, merchantId, model, appVersion, lifecycleState: 'active' });
  const a1 = await term(S1.id, M1.id, 'A920', '3.2.0');
  const a2 = await term(S1.id, M1.id, 'A920', '3.2.0');
  const a3 = await term(S1.id, M1.id, 'A920', '3.1.0');
  const v1 = await term(S2.id, M2.id, 'V2', '3.1.0');
  const v2 = await term(S2.id, M2.id, 'V2', '3.1.0');
  agent = await t.f.user(o.id, 'agent', { team: 'L1' });
  merchant1 = await t.f.user(o.id, 'merchant', { merchantId: M1.id });
  merchant2 = await t.f.user(o.id, 'merchant', { merchantId: M2.id });
  risk = await t.f.user(o.id, 'risk_analyst');
  const other = await t.tenant();
  otherOrgMerchant = other.merchant;
  // Another organization's tickets never count.
  await call('POST', '/api/v1/tickets', other.admin.email, { terminalId: other.terminal.id, title: 'elsewhere', causeCode: 'hw.printer.jam' });

  at('2026-03-02T09:00:00');
  await open('T1', { terminalId: a1.id, causeCode: 'hw.printer.jam' });
  await open('T2', { terminalId: a2.id, causeCode: 'hw.printer.jam' });
  await open('T6', { siteId: S2.id, priority: 'p3' });
  at('2026-03-02T10:00:00');
  await open('T3', { terminalId: v1.id, causeCode: 'net.signal.weak' });
  at('2026-03-02T13:00:00');
  await resolve('T1');
  expect((await call('POST', `/api/v1/tickets/${ids.T1}/rating`, merchant1.email, { score: 5 })).statusCode).toBe(201);
  at('2026-03-03T09:00:00');
  await resolve('T2');
  expect((await call('POST', `/api/v1/tickets/${ids.T2}/rating`, merchant1.email, { score: 2, comment: 'took a day' })).statusCode).toBe(201);
  at('2026-03-04T10:00:00');
  await resolve('T3');
  at('2026-03-07T09:00:00');
  await open('T8', { siteId: S1.id, priority: 'p4' });
  at('2026-03-09T09:00:00');
  await open('T4', { terminalId: v1.id, causeCode: 'net.signal.weak' });
  at('2026-03-09T11:00:00');
  await resolve('T4');
  expect((await call('POST', `/api/v1/tickets/${ids.T4}/rating`, merchant2.email, { score: 4 })).statusCode).toBe(201);
  at('2026-03-10T09:00:00');
  await open('T5', { terminalId: a3.id, causeCode: 'hw.reader.chip', priority: 'p1' });
  at('2026-03-12T08:00:00');
  await open('T7', { terminalId: v2.id, causeCode: 'sw.app.crash', priority: 'p2' });
  at('2026-03-12T09:00:00');

  // Since then the V2 terminals were upgraded to 3.2.0, and T1's terminal was swapped for an A960 (the
  // ticket follows the new terminal): reports still count each ticket against the terminal as it was
  // when the ticket was opened.
  await sql(`UPDATE terminals SET app_version = '3.2.0' WHERE id = ANY($1::uuid[])`, [[v1.id, v2.id]]);
  const swapped = await t.f.terminal(o.id, { siteId: S1.id, merchantId: M1.id, model: 'A960', appVersion: '4.0.0', lifecycleState: 'active' });
  await sql('UPDATE tickets SET terminal_id = $2 WHERE id = $1', [ids.T1, swapped.id]);

  // What the ticket service and field service maintain, set here to known values.
  await sql('UPDATE tickets SET sla_breached = (id = $2), reopen_count = CASE WHEN id = $3 THEN 1 ELSE 0 END WHERE org_id = $1', [o.id, ids.T2, ids.T3]);
  await sql(
    `UPDATE tickets SET resolution_due = CASE WHEN id = ANY($2::uuid[]) THEN '2026-03-11T00:00:00Z'::timestamptz ELSE '2026-03-20T00:00:00Z'::timestamptz END
      WHERE org_id = $1 AND resolved_at IS NULL`,
    [o.id, [ids.T5, ids.T6]],
  );
  for (const n of [1, 2])
    await sql(`INSERT INTO work_orders (org_id, number, ticket_id, status, kind, created_at, updated_at) VALUES ($1, $2, $3, 'completed', 'repair', now(), now())`, [o.id, `WO-T4-${n}`, ids.T4]);
  await sql(`INSERT INTO work_orders (org_id, number, ticket_id, status, kind, created_at, updated_at) VALUES ($1, 'WO-T1-1', $2, 'completed', 'repair', now(), now())`, [o.id, ids.T1]);
});
afterAll(async () => t?.close());

describe('the service-desk report', () => {
  let report: Record<string, any>;

  beforeAll(async () => {
    const res = await call('GET', `/api/v1/reports/service-desk?${PERIOD}`, agent.email);
    expect(res.statusCode, res.body).toBe(200);
    report = res.json();
  });

  it('covers whole days in Asia/Shanghai, the "to" day included', () => {
    expect(report.from).toBe('2026-03-01T16:00:00.000Z');
    expect(report.to).toBe('2026-03-12T16:00:00.000Z');
    expect(report.timeZone).toBe('Asia/Shanghai');
  });

  it('MTTR is the mean and median of resolved − created over tickets resolved in the period, in hours', () => {
    expect(report.mttr).toMatchObject({ resolved: 4, meanHours: 19.5, medianHours: 14 });
  });

  it('MTTR per week groups by the Monday of the resolution, every week of the period listed', () => {
    expect(report.mttr.weeks).toEqual([
      { week: '2026-03-02', resolved: 3, meanHours: 25.33, medianHours: 24 },
      { week: '2026-03-09', resolved: 1, meanHours: 2, medianHours: 2 },
    ]);
  });

  it('first-time fix counts resolved tickets never reopened and with at most one work order', () => {
    // T1 (one work order) and T2 are first-time fixes; T3 was reopened, T4 needed two visits.
    expect(report.firstTimeFix).toEqual({ resolved: 4, firstTime: 2, rate: 0.5 });
  });

  it('SLA compliance is resolved without a breach over all resolved; open tickets past resolution due are counted', () => {
    expect(report.sla).toEqual({ resolved: 4, met: 3, compliance: 0.75, open: 4, openOverdue: 2 });
  });

  it('the backlog puts open tickets in age buckets (<1 d, 1–3 d, 3–7 d, >7 d) by priority', () => {
    expect(report.backlog.total).toBe(4);
    const cell = (bucket: string) => report.backlog.buckets.find((b: { bucket: string }) => b.bucket === bucket);
    expect(cell('lt1d')).toEqual({ bucket: 'lt1d', total: 1, byPriority: { p1: 0, p2: 1, p3: 0, p4: 0 } });
    expect(cell('d1to3')).toEqual({ bucket: 'd1to3', total: 1, byPriority: { p1: 1, p2: 0, p3: 0, p4: 0 } });
    expect(cell('d3to7')).toEqual({ bucket: 'd3to7', total: 1, byPriority: { p1: 0, p2: 0, p3: 0, p4: 1 } });
    expect(cell('gt7d')).toEqual({ bucket: 'gt7d', total: 1, byPriority: { p1: 0, p2: 0, p3: 1, p4: 0 } });
  });

  it('satisfaction covers ratings given in the period: average, count, distribution and share of 4–5', () => {
    expect(report.satisfaction).toEqual({ count: 3, average: 3.67, distribution: [0, 1, 0, 1, 1], satisfiedShare: 0.6667 });
  });

  it('top causes of tickets opened in the period, by terminal model, app version, region and merchant', () => {
    expect(report.opened).toBe(8);
    expect(report.causes.model).toEqual([
      { key: 'A920', label: 'A920', total: 3, causes: [{ code: 'hw.printer.jam', count: 2 }, { code: 'hw.reader.chip', count: 1 }] },
      { key: 'V2', label: 'V2', total: 3, causes: [{ code: 'net.signal.weak', count: 2 }, { code: 'sw.app.crash', count: 1 }] },
      { key: null, label: null, total: 2, causes: [{ code: null, count: 2 }] },
    ]);
    expect(report.causes.appVersion.map((g: { key: string; total: number }) => [g.key, g.total])).toEqual([['3.1.0', 4], ['3.2.0', 2], [null, 2]]);
    expect(report.causes.region.map((g: { key: string; total: number }) => [g.key, g.total])).toEqual([['Beijing', 4], ['Shanghai', 4]]);
    expect(report.causes.region[1].causes).toEqual([{ code: 'hw.printer.jam', count: 2 }, { code: 'hw.reader.chip', count: 1 }, { code: null, count: 1 }]);
    expect(report.causes.merchant.map((g: { label: string; total: number }) => [g.label, g.total]).sort()).toEqual([['Blue Cafe', 4], ['华联超市', 4]]);
    expect(report.causeTitles['hw.printer.jam']).toMatch(/printer/i);
  });

  it('filters by region, by model (as opened) and by merchant', async () => {
    const beijing = (await call('GET', `/api/v1/reports/service-desk?${PERIOD}&region=Beijing`, agent.email)).json();
    expect(beijing.mttr).toMatchObject({ resolved: 2, meanHours: 25 });
    expect(beijing.backlog.total).toBe(2);
    expect(beijing.satisfaction.count).toBe(1);
    const a920 = (await call('GET', `/api/v1/reports/service-desk?${PERIOD}&model=A920`, agent.email)).json();
    expect(a920.opened).toBe(3);
    const m1 = (await call('GET', `/api/v1/reports/service-desk?${PERIOD}&merchantId=${M1.id}`, agent.email)).json();
    expect(m1).toMatchObject({ merchantId: M1.id, opened: 4, mttr: { resolved: 2, meanHours: 14 }, satisfaction: { count: 2, average: 3.5 } });
  });

  it("a merchant of another organization is answered as not found", async () => {
    const res = await call('GET', `/api/v1/reports/service-desk?merchantId=${otherOrgMerchant.id}`, agent.email);
    expect(res.statusCode).toBe(404);
  });

  it('risk analysts read reports; merchants do not (403)', async () => {
    expect((await call('GET', `/api/v1/reports/service-desk?${PERIOD}`, risk.email)).statusCode).toBe(200);
    for (const url of [`/api/v1/reports/service-desk?${PERIOD}`, `/api/v1/reports/service-desk/export?${PERIOD}`]) {
      const res = await call('GET', url, merchant1.email);
      expect(res.statusCode, url).toBe(403);
    }
  });

  it('a caller bound to a merchant only ever gets that merchant\'s figures, and no per-agent results', async () => {
    const actor = { userId: agent.id, name: 'x', orgId: org.id, merchantId: M2.id, role: 'risk_analyst' as const, platformAdmin: false, language: 'en-US' as const, via: 'session' as const };
    const scoped = await t.services.reports.bundle(actor, { from: '2026-03-02', to: '2026-03-12', merchantId: undefined }, 'en-US');
    expect(scoped.report).toMatchObject({ merchantId: M2.id, opened: 4, mttr: { resolved: 2 } });
    expect(Object.keys(scoped.satisfaction)).toEqual(['cause']);
    await expect(t.services.reports.bundle(actor, { merchantId: M1.id }, 'en-US')).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a period that ends before it starts or is longer than a year, in the caller language', async () => {
    const backwards = await call('GET', '/api/v1/reports/service-desk?from=2026-03-12&to=2026-03-01', agent.email, undefined, 'zh-CN');
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.details[0]).toMatchObject({ path: 'querystring.from', message: '统计期的开始时间必须早于结束时间。' });
    const long = await call('GET', '/api/v1/reports/service-desk?from=2024-01-01&to=2026-03-01', agent.email);
    expect(long.statusCode).toBe(400);
    expect(long.json().error.details[0].message).toBe('A report covers at most 366 days.');
    expect((await call('GET', '/api/v1/reports/service-desk?from=yesterday', agent.email)).statusCode).toBe(400);
  });
});

describe('export', () => {
  const exportOf = (query: string, lang = 'en-US') => call('GET', `/api/v1/reports/service-desk/export?${PERIOD}&${query}`, agent.email, undefined, lang);

  it('CSV is UTF-8 with a BOM, headers in the caller language, a clear file name, and parses back to the JSON figures', async () => {
    const res = await exportOf('format=csv&section=summary', 'zh-CN');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toContain('filename="poscare-service-desk-summary-2026-03-02_2026-03-12.csv"');
    expect([...res.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(res.rawPayload, { bom: true }) as string[][];
    expect(rows[0]).toEqual(['指标', '数值']);
    const value = (label: string) => rows.find((r) => r[0] === label)?.[1];
    // The period as the page shows it: first and last day, both included (the file name says the same).
    expect(value('统计首日')).toBe('2026-03-02');
    expect(value('统计末日（含）')).toBe('2026-03-12');
    expect(value('新建工单')).toBe('8');
    expect(value('已解决工单')).toBe('4');
    expect(value('平均修复时长（小时）')).toBe('19.5');
    expect(value('修复时长中位数（小时）')).toBe('14');
    expect(value('一次修复率（%）')).toBe('50');
    expect(value('SLA 达成率（%）')).toBe('75');
    expect(value('已超解决时限的未结工单')).toBe('2');
    expect(value('平均评分（1–5）')).toBe('3.67');
    expect(value('4–5 分占比（%）')).toBe('66.7');
  });

  it('CSV of one section: MTTR per week in English', async () => {
    const res = await exportOf('format=csv&section=mttr_weekly');
    const rows = parse(res.rawPayload, { bom: true }) as string[][];
    expect(rows).toEqual([
      ['Week (Monday)', 'Resolved', 'MTTR mean (h)', 'MTTR median (h)'],
      ['2026-03-02', '3', '25.33', '24'],
      ['2026-03-09', '1', '2', '2'],
    ]);
  });

  it('CSV holds one section: asking for all of them is refused with a clear message', async () => {
    const res = await exportOf('format=csv&section=all');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ path: 'querystring.section', message: expect.stringContaining('XLSX') });
  });

  it('XLSX opens with one sheet per section, localized, holding the same figures as the JSON', async () => {
    const json = (await call('GET', `/api/v1/reports/service-desk?${PERIOD}`, agent.email, undefined, 'zh-CN')).json();
    const res = await exportOf('format=xlsx', 'zh-CN');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toContain('poscare-service-desk-all-2026-03-02_2026-03-12.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '概览', '每周平均修复时长', '未结工单账龄', '满意度', '按机型的主要故障原因', '按应用版本的主要故障原因', '按地区的主要故障原因', '按商户的主要故障原因', '按处理人的满意度', '按团队的满意度', '按故障原因的满意度',
    ]);
    const values = (name: string) => {
      const out: unknown[][] = [];
      wb.getWorksheet(name)!.eachRow((row) => out.push((row.values as unknown[]).slice(1)));
      return out;
    };
    const summary = new Map(values('概览').map((r) => [r[0], r[1]]));
    expect(summary.get('平均修复时长（小时）')).toBe(json.mttr.meanHours);
    expect(summary.get('一次修复率（%）')).toBe(json.firstTimeFix.rate * 100);
    expect(summary.get('当前未结工单')).toBe(json.backlog.total);
    expect(values('满意度').slice(1).map((r) => r[1])).toEqual(json.satisfaction.distribution);
    expect(values('未结工单账龄')[0]).toEqual(['账龄', 'P1', 'P2', 'P3', 'P4', '合计']);
    const byModel = values('按机型的主要故障原因');
    expect(byModel[1]).toEqual(['A920', 3, 'hw.printer.jam', json.causeTitles['hw.printer.jam'], 2]);
    const teams = (await call('GET', `/api/v1/reports/satisfaction?${PERIOD}&by=team`, agent.email, undefined, 'zh-CN')).json();
    expect(teams.groups.length).toBeGreaterThan(0);
    expect(values('按团队的满意度').slice(1)).toEqual(
      teams.groups.map((g: { label: string; count: number; average: number; satisfiedShare: number; distribution: number[] }) => [g.label, g.count, g.average, Math.round(g.satisfiedShare * 1000) / 10, ...g.distribution]),
    );
  });
});

describe('what a ticket keeps of its terminal', () => {
  it('the model and the app version the terminal last reported when the ticket was opened', async () => {
    const other = await t.tenant();
    const term = await t.f.terminal(other.org.id, { model: 'P3', appVersion: '1.0.0', lifecycleState: 'active' });
    await sql(`INSERT INTO terminal_live (terminal_id, org_id, last_seen_at, health, health_reasons, app_version) VALUES ($1, $2, now(), 'ok', '[]', '1.1.0')`, [term.id, other.org.id]);
    const res = await call('POST', '/api/v1/tickets', other.admin.email, { terminalId: term.id, title: 'app freezes', causeCode: 'sw.app.crash' });
    expect(res.statusCode, res.body).toBe(201);
    const [row] = (await sql('SELECT terminal_model, terminal_app_version FROM tickets WHERE id = $1', [res.json().ticket.id])) as Record<string, unknown>[];
    expect(row).toEqual({ terminal_model: 'P3', terminal_app_version: '1.1.0' });
  });
});

describe('exports a spreadsheet cannot run', () => {
  it('a merchant named with a formula comes out as text in the CSV (quote-prefixed) and in the XLSX (a string, never a formula); counts stay numbers', async () => {
    const other = await t.tenant();
    const evil = '=HYPERLINK("http://evil.example","x")';
    await sql('UPDATE merchants SET name = $2 WHERE id = $1', [other.merchant.id, evil]);
    at('2026-03-12T09:30:00');
    const res = await call('POST', '/api/v1/tickets', other.admin.email, { terminalId: other.terminal.id, title: 'printer', causeCode: 'hw.printer.jam' });
    expect(res.statusCode, res.body).toBe(201);
    const url = '/api/v1/reports/service-desk/export?from=2026-03-12&to=2026-03-13';

    const csv = await call('GET', `${url}&format=csv&section=causes_merchant`, other.admin.email);
    expect(csv.statusCode, csv.body).toBe(200);
    const text = csv.rawPayload.toString('utf8');
    expect(text).not.toMatch(/(^|[\r\n,])"?=HYPERLINK/);
    const rows = parse(csv.rawPayload, { bom: true }) as string[][];
    const line = rows.find((r) => r[0]!.includes('HYPERLINK'))!;
    expect(line[0]).toBe(`'${evil}`);
    // The group total and the ticket count are plain numbers, not quote-prefixed text.
    expect(line[1]).toBe('1');
    expect(line[4]).toBe('1');
    expect(text).toContain(`,1,hw.printer.jam,`);

    const xlsx = await call('GET', `${url}&format=xlsx`, other.admin.email);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const cells: ExcelJS.Cell[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => cells.push(c))));
    const cell = cells.find((c) => String(c.value).includes('HYPERLINK'))!;
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.value).toBe(evil);
    expect(cells.some((c) => c.type === ExcelJS.ValueType.Formula)).toBe(false);
  });
});
