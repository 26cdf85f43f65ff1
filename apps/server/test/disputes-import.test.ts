/**
 * Disputes (issue 17), the rest: a file of disputes opened row by row with its report (good, bad,
 * card-number and duplicate rows, the same file twice, another organization's payments); matching an
 * unmatched dispute by hand from a payment search; and the report's figures computed from a known set.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './harness.js';
import { multipartFile } from './multipart.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let B: Awaited<ReturnType<TestApp['tenant']>>;
let agent: string;
let tid: string;
let seq = 0;

const OPENED = new Date('2026-03-02T09:00:00+08:00');
const PAN = '4111111111111111';
const as = (cookie: string, lang = 'en-US') => ({ cookie, 'accept-language': lang });
const get = (url: string, cookie: string, lang = 'en-US') => t.app.inject({ url, headers: as(cookie, lang) });
const post = (url: string, cookie: string, payload: object, lang = 'en-US') => t.app.inject({ method: 'POST', url, headers: as(cookie, lang), payload });
const upload = (cookie: string, name: string, content: Buffer | string, lang = 'en-US') => {
  const f = multipartFile(name, content);
  return t.app.inject({ method: 'POST', url: '/api/v1/disputes/import', headers: { ...as(cookie, lang), ...f.headers }, payload: f.payload });
};
const csv = (rows: string[][]) => rows.map((r) => r.join(',')).join('\r\n');
const HEADER = ['network', 'kind', 'reason_code', 'case_number', 'amount', 'rrn', 'terminal', 'stan', 'day', 'note'];

/** A chip sale seen by the terminal and the host (same STAN, RRN and card). */
async function payment(org: { id: string }, terminal: { id: string }, merchant: { id: string }, opts: { amountMinor?: number; card?: string; at?: Date } = {}) {
  const n = ++seq;
  const at = opts.at ?? new Date('2026-02-27T14:05:00+08:00');
  const stan = String(300 + n).padStart(6, '0');
  const rrn = `61${String(n).padStart(10, '0')}`;
  await t.db.rawTransaction(async (tx) => {
    await tx.query(
      `INSERT INTO transactions (org_id, terminal_id, msg_id, at, received_at, stan, rrn, amount_minor, currency, entry_mode, outcome, response_code, card_token, type, auth_code, merchant_id)
       VALUES ($1, $2, $3, $4, $4, $5, $6, $7, 'CNY', 'chip', 'approved', '00', $8, 'sale', 'A1B2C3', $9)`,
      [org.id, terminal.id, `imp-${n}`, at, stan, rrn, opts.amountMinor ?? 8800, opts.card ?? `tok_imp_${n}`, merchant.id],
    );
    await tx.query(
      `INSERT INTO host_records (org_id, id, at, received_at, terminal_id, merchant_id, type, amount_minor, currency, entry_mode, card_token, stan, rrn, auth_code, outcome, response_code, origin)
       VALUES ($1, $2, $3, $3, $4, $5, 'sale', $6, 'CNY', 'chip', $7, $8, $9, 'A1B2C3', 'approved', '00', 'jsonl')`,
      [org.id, `imp-host-${n}`, new Date(at.getTime() + 700), terminal.id, merchant.id, opts.amountMinor ?? 8800, opts.card ?? `tok_imp_${n}`, stan, rrn],
    );
  });
  return { stan, rrn, at };
}

const countDisputes = async (orgId: string) =>
  Number((await t.db.rawTransaction((tx) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM disputes WHERE org_id = $1`, [orgId])))[0]!.n);

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(OPENED);
  A = await t.tenant();
  B = await t.tenant();
  tid = `I${Date.now().toString(36).slice(-6)}`;
  await t.db.rawTransaction((tx) => tx.query(`UPDATE terminals SET tid = $2 WHERE id = $1`, [A.terminal.id, tid]));
  agent = await t.login((await t.f.user(A.org.id, 'agent')).email);
});
afterAll(() => t?.close());

describe('disputes opened from a file', () => {
  it('opens the good rows (matched or unmatched), reports every bad one in the reader’s language, never stores a card number, and a second import of the same file opens nothing', async () => {
    const p1 = await payment(A.org, A.terminal, A.merchant);
    const p2 = await payment(A.org, A.terminal, A.merchant);
    const file = csv([
      HEADER,
      ['visa', 'first_chargeback', '10.4', 'F-1', '88.00', p1.rrn, '', '', '', ''], // 2: by RRN
      ['银联', '拒付', '4514', 'F-2', '¥88', '', tid, p2.stan, '2026/2/27', '收单机构来函'], // 3: by TID + STAN + day, Chinese values
      ['visa', 'first_chargeback', '10.4', 'F-3', '12.5', '999999999991', '', '', '', ''], // 4: no such payment
      ['visa', 'first_chargeback', '10.4', 'F-4', 'abc', p1.rrn, '', '', '', ''], // 5: bad amount
      ['visa', 'first_chargeback', '10.4', 'F-5', '10', p1.rrn, '', '', '', `card ${PAN}`], // 6: card number
      ['visa', 'first_chargeback', '99.9', 'F-6', '10', p1.rrn, '', '', '', ''], // 7: unknown reason code
      ['visa', 'first_chargeback', '10.4', 'F-1', '88.00', p1.rrn, '', '', '', ''], // 8: row 2 again
      ['amex', 'first_chargeback', '10.4', 'F-7', '10', '', '', '', '', ''], // 9: unknown network, no payment named
      ['', '', '', '', '', '', '', '', '', ''], // blank: not a row
    ]);
    const before = await countDisputes(A.org.id);
    const res = await upload(agent, 'disputes.csv', file);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ totalRows: 8, opened: 3, matched: 2, unmatched: 1, existing: 0, invalidRows: 5, problemsTruncated: false });
    expect(r.rows.map((x: { row: number; outcome: string }) => [x.row, x.outcome])).toEqual([
      [2, 'needs_response'], [3, 'needs_response'], [4, 'unmatched'], [5, 'invalid'], [6, 'invalid'], [7, 'invalid'], [8, 'invalid'], [9, 'invalid'],
    ]);
    expect(r.rows[0]).toMatchObject({ caseNumber: 'F-1', matchedBy: 'rrn' });
    expect(r.rows[1]).toMatchObject({ caseNumber: 'F-2', matchedBy: 'terminal_stan_date' });
    expect(r.rows[2]).toMatchObject({ caseNumber: 'F-3', unmatchedReason: 'no_payment' });
    const byRow = (row: number) => r.problems.filter((p: { row: number }) => p.row === row).map((p: { column: string | null; code: string; message: string }) => [p.column, p.code, p.message]);
    expect(byRow(5)).toEqual([['amount', 'dispute_import.bad_amount', '"abc" is not an amount in yuan (e.g. 88.00).']]);
    expect(byRow(6)).toEqual([[null, 'row.card_data', 'This row looks like it contains a card number; it was rejected and not stored.']]);
    expect(byRow(7)).toEqual([['reason_code', 'dispute.unknown_reason', 'The reason code "99.9" is not known for this card network.']]);
    expect(byRow(8)).toEqual([['case_number', 'dispute_import.duplicate_in_file', 'Case "F-1" of this network and kind appears more than once in the file (first on row 2).']]);
    expect(byRow(9).map((p: string[]) => p[1])).toEqual(['dispute_import.bad_value', 'dispute_import.no_payment_key']);
    expect(res.body).not.toContain(PAN);
    expect(r.rows[4]).toMatchObject({ row: 6, caseNumber: null }); // the card-data row's cells are not echoed, not even its case number
    expect(await countDisputes(A.org.id)).toBe(before + 3);
    const stored = await t.db.rawTransaction((tx) => tx.query(`SELECT d.*, (SELECT count(*) FROM dispute_events e WHERE e.dispute_id = d.id) AS events FROM disputes d WHERE org_id = $1`, [A.org.id]));
    expect(JSON.stringify(stored)).not.toContain(PAN);
    const f2 = (await get(`/api/v1/disputes/${r.rows[1].disputeId}`, agent)).json();
    expect(f2).toMatchObject({ network: 'unionpay', kind: 'first_chargeback', amountMinor: 8800, stan: p2.stan, merchantId: A.merchant.id, note: '收单机构来函' });
    expect(f2.pack.lines).toHaveLength(2);

    // The same file again (an acquirer's file is often sent twice): nothing is opened twice.
    const again = (await upload(agent, 'disputes.csv', file, 'zh-CN')).json();
    expect(again).toMatchObject({ totalRows: 8, opened: 0, existing: 3, invalidRows: 5 });
    expect(again.rows.filter((x: { outcome: string }) => x.outcome === 'existing').map((x: { disputeId: string }) => x.disputeId)).toEqual(r.rows.slice(0, 3).map((x: { disputeId: string }) => x.disputeId));
    expect(again.problems.find((p: { row: number }) => p.row === 5).message).toBe('"abc"不是以元为单位的金额（例如 88.00）。');
    expect(again.problems.find((p: { row: number }) => p.row === 6).message).toBe('该行疑似包含银行卡号，已拒绝且未保存。');
    expect(await countDisputes(A.org.id)).toBe(before + 3);
  });

  it('reads an XLSX file with Chinese headers and real date and time cells; a deadline given as a day closes at 18:00 that day', async () => {
    const p = await payment(A.org, A.terminal, A.merchant, { amountMinor: 4_321, card: 'tok_xlsx_card', at: new Date('2026-02-26T20:30:00+08:00') });
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('争议');
    ws.addRow(['卡组织', '类型', '原因码', '案件编号', '争议金额', '回复期限', '终端号', '流水号', '交易日期', '交易时间', '卡标识']);
    // Spreadsheets hold dates as wall-clock serials: exceljs writes a Date's UTC fields.
    const row1 = ws.addRow(['visa', 'chargeback', '13.1', 'X-1', 43.21, new Date(Date.UTC(2026, 2, 10)), tid, Number(p.stan), new Date(Date.UTC(2026, 1, 26)), null, null]);
    row1.getCell(6).numFmt = 'yyyy-mm-dd';
    row1.getCell(9).numFmt = 'yyyy-mm-dd';
    const row2 = ws.addRow(['visa', 'retrieval', '28', 'X-2', '43.21', '', '', '', '', new Date(Date.UTC(2026, 1, 26, 20, 33)), 'tok_xlsx_card']);
    row2.getCell(10).numFmt = 'yyyy-mm-dd hh:mm';
    const res = await upload(agent, '争议.xlsx', Buffer.from(await wb.xlsx.writeBuffer()), 'zh-CN');
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x: { matchedBy: string }) => x.matchedBy)).toEqual(['terminal_stan_date', 'amount_time_card']);
    const d1 = (await get(`/api/v1/disputes/${r.rows[0].disputeId}`, agent)).json();
    expect(d1.dueAt).toBe(new Date('2026-03-10T18:00:00+08:00').toISOString());
    expect(d1.amountMinor).toBe(4_321);
  });

  it('refuses a file without the required columns, a merchant, and matches only the caller’s own organization’s payments', async () => {
    const missing = await upload(agent, 'x.csv', csv([['network', 'kind'], ['visa', 'retrieval']]));
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toBe('Required columns are missing: reason_code, case_number, amount.');
    const merchant = await t.login(A.merchantUser.email);
    expect((await upload(merchant, 'x.csv', csv([HEADER]))).statusCode).toBe(403);

    // B's payment, named by its RRN and by B's terminal, in A's file: A opens unmatched disputes, B is untouched.
    const pb = await payment(B.org, B.terminal, B.merchant);
    const bBefore = await countDisputes(B.org.id);
    const r = (await upload(agent, 'x.csv', csv([HEADER, ['visa', 'first_chargeback', '10.4', 'W-1', '88', pb.rrn, '', '', '', ''], ['visa', 'first_chargeback', '10.4', 'W-2', '88', '', B.terminal.id, pb.stan, '2026-02-27', '']]))).json();
    expect(r.rows.map((x: { outcome: string; unmatchedReason: string }) => [x.outcome, x.unmatchedReason])).toEqual([['unmatched', 'no_payment'], ['unmatched', 'unknown_terminal']]);
    expect(await countDisputes(B.org.id)).toBe(bBefore);
    const d = (await get(`/api/v1/disputes/${r.rows[0].disputeId}`, agent)).json();
    expect(d).toMatchObject({ terminalId: null, merchantId: null });
  });

  it('offers a template in the reader’s language that imports as it is', async () => {
    const zh = await get('/api/v1/disputes/import-template?format=csv', agent, 'zh-CN');
    expect(zh.statusCode).toBe(200);
    expect(zh.headers['content-type']).toContain('text/csv');
    expect(zh.body.split('\r\n')[0]).toContain('卡组织,类型,原因码,案件编号,争议金额');
    const xlsx = await get('/api/v1/disputes/import-template?format=xlsx', agent);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets[0]!.getRow(1).getCell(1).text).toBe('network');
    const r = (await upload(agent, 'template.csv', zh.rawPayload)).json();
    expect(r).toMatchObject({ totalRows: 2, opened: 2, unmatched: 2, invalidRows: 0 });
  });
});

describe('matching an unmatched dispute by hand', () => {
  it('searches the payments the references name, each once with both sides, then matches the one the agent confirms', async () => {
    const at = new Date('2026-02-25T11:00:00+08:00');
    const a1 = await payment(A.org, A.terminal, A.merchant, { card: 'tok_twice_imp', amountMinor: 600, at });
    const a2 = await payment(A.org, A.terminal, A.merchant, { card: 'tok_twice_imp', amountMinor: 600, at: new Date(at.getTime() + 90_000) });
    await payment(B.org, B.terminal, B.merchant, { card: 'tok_twice_imp', amountMinor: 600, at });
    const d = (await post('/api/v1/disputes', agent, { network: 'visa', kind: 'first_chargeback', reasonCode: '12.6.1', caseNumber: 'M-1', amountMinor: 600, payment: { amountMinor: 600, at: at.toISOString(), cardToken: 'tok_twice_imp' } })).json();
    expect(d).toMatchObject({ status: 'unmatched', unmatchedReason: 'ambiguous' });

    const search = await get(`/api/v1/disputes/payment-search?amountMinor=600&at=${encodeURIComponent(at.toISOString())}&cardToken=tok_twice_imp`, agent);
    expect(search.statusCode, search.body).toBe(200);
    const s = search.json();
    expect(s.reason).toBe('ambiguous');
    expect(s.items.map((c: { stan: string }) => c.stan)).toEqual([a1.stan, a2.stan]);
    expect(s.items[0]).toMatchObject({ terminalId: A.terminal.id, terminalLabel: tid, merchantName: A.merchant.name, day: '2026-02-25', amountMinor: 600, rrn: a1.rrn, cardTail: '_imp', sides: ['terminal', 'host'], matchedBy: 'amount_time_card' });
    expect(search.body).not.toContain(B.terminal.id);
    const one = (await get(`/api/v1/disputes/payment-search?rrn=${a2.rrn}`, agent)).json();
    expect(one).toMatchObject({ reason: null, items: [{ stan: a2.stan, matchedBy: 'rrn' }] });
    expect((await get('/api/v1/disputes/payment-search?terminal=NOPE&stan=1&day=2026-02-25', agent)).json()).toEqual({ items: [], reason: 'unknown_terminal' });

    // The agent confirms the second: the dispute is matched by its terminal, STAN and day.
    const c = s.items[1];
    const matched = await post(`/api/v1/disputes/${d.id}/match`, agent, { payment: { terminal: c.terminalId, stan: c.stan, day: c.day } });
    expect(matched.statusCode, matched.body).toBe(200);
    expect(matched.json()).toMatchObject({ status: 'needs_response', matchedBy: 'manual', stan: a2.stan, rrn: a2.rrn, merchantId: A.merchant.id });
    const merchant = await t.login(A.merchantUser.email);
    expect((await get(`/api/v1/disputes/payment-search?rrn=${a2.rrn}`, merchant)).statusCode).toBe(403);
  });
});

describe('the dispute report', () => {
  /** A known set in an organization of its own: three terminals, their sales, findings and disputes. */
  async function knownSet() {
    const C = await t.tenant();
    const m2 = await t.f.merchant(C.org.id, { name: 'Zeta Store' });
    await t.db.rawTransaction((tx) => tx.query(`UPDATE merchants SET name = 'Alpha Mart' WHERE id = $1`, [C.merchant.id]));
    const t1 = C.terminal;
    await t.db.rawTransaction((tx) => tx.query(`UPDATE terminals SET tid = 'C-T1', vendor = 'PAX', model = 'A920', app_version = '1.0' WHERE id = $1`, [t1.id]));
    const t2 = await t.f.terminal(C.org.id, { tid: 'C-T2', vendor: 'Sunmi', model: 'P2', appVersion: '2.0', merchantId: C.merchant.id, siteId: C.site.id });
    const t3 = await t.f.terminal(C.org.id, { tid: 'C-T3', vendor: 'PAX', model: 'A920', appVersion: '2.0', merchantId: m2.id });
    const inPeriod = new Date('2026-02-10T10:00:00+08:00');
    await t.db.rawTransaction(async (tx) => {
      const sales = async (terminalId: string, merchantId: string, n: number) =>
        tx.query(
          `INSERT INTO transactions (org_id, terminal_id, msg_id, at, received_at, stan, amount_minor, currency, entry_mode, outcome, type, merchant_id)
           SELECT $1, $2, 'r-' || g, $3::timestamptz + g * interval '1 second', $3::timestamptz, lpad(g::text, 6, '0'), 100, 'CNY', 'chip', 'approved', 'sale', $4
             FROM generate_series(1, $5::int) g`,
          [C.org.id, terminalId, inPeriod, merchantId, n],
        );
      await sales(t1.id, C.merchant.id, 2000);
      await sales(t2.id, C.merchant.id, 500);
      await sales(t3.id, m2.id, 1000);
      // A refund is not a payment to count.
      await tx.query(`INSERT INTO transactions (org_id, terminal_id, msg_id, at, received_at, stan, amount_minor, currency, entry_mode, outcome, type, merchant_id) VALUES ($1, $2, 'refund-1', $3, $3, '999999', 100, 'CNY', 'chip', 'approved', 'refund', $4)`, [C.org.id, t1.id, inPeriod, C.merchant.id]);
      const finding = (terminalId: string, merchantId: string, code: string, i: number, at = inPeriod) =>
        tx.query(
          `INSERT INTO txn_findings (org_id, key, code, merchant_id, terminal_id, amount_minor, first_at, last_at, txn_ids, summary_zh, summary_en, action)
           VALUES ($1, $2, $3, $4, $5, 100, $6, $6, '[]', '摘要', 'summary', 'none')`,
          [C.org.id, `k-${terminalId}-${code}-${i}`, code, merchantId, terminalId, at],
        );
      for (let i = 0; i < 2; i++) await finding(t1.id, C.merchant.id, 'dup.double_submit', i);
      for (let i = 0; i < 5; i++) await finding(t2.id, C.merchant.id, 'dup.double_submit', i);
      await finding(t2.id, C.merchant.id, 'risk.card_testing', 0);
      await finding(t3.id, m2.id, 'dup.double_submit', 99, new Date('2026-01-05T10:00:00+08:00')); // before the period
      const dispute = async (o: { group: string; merchantId: string; terminalId: string; status: string; amount: number; respondedAfterH?: number; opened?: Date; n: number }) => {
        const opened = o.opened ?? new Date('2026-02-12T10:00:00+08:00');
        const [d] = await tx.query<{ id: string }>(
          `INSERT INTO disputes (org_id, network, kind, reason_code, reason_group, case_number, status, lookup, amount_minor, currency, merchant_id, terminal_id, language, opened_at, due_at, updated_at)
           VALUES ($1, 'visa', 'first_chargeback', '10.4', $2, $3, $4, '{}', $5, 'CNY', $6, $7, 'en-US', $8, $8::timestamptz + interval '10 days', $8) RETURNING id`,
          [C.org.id, o.group, `R-${o.n}`, o.status, o.amount, o.merchantId, o.terminalId, opened],
        );
        if (o.respondedAfterH !== undefined) {
          const to = o.status === 'accepted' ? 'accepted' : 'evidence_submitted';
          await tx.query(`INSERT INTO dispute_events (org_id, dispute_id, at, type, from_value, to_value) VALUES ($1, $2, $3, 'status', 'needs_response', $4)`, [C.org.id, d!.id, new Date(opened.getTime() + o.respondedAfterH * 3_600_000), to]);
          // A later move (the acquirer's decision) does not change the time to answer.
          if (o.status === 'won' || o.status === 'lost') await tx.query(`INSERT INTO dispute_events (org_id, dispute_id, at, type, from_value, to_value) VALUES ($1, $2, $3, 'status', 'evidence_submitted', $4)`, [C.org.id, d!.id, new Date(opened.getTime() + 200 * 3_600_000), o.status]);
        }
      };
      await dispute({ n: 1, group: 'fraud', merchantId: C.merchant.id, terminalId: t1.id, status: 'won', amount: 10_000, respondedAfterH: 24 });
      await dispute({ n: 2, group: 'fraud', merchantId: C.merchant.id, terminalId: t1.id, status: 'lost', amount: 5_000, respondedAfterH: 48 });
      await dispute({ n: 3, group: 'processing_error', merchantId: C.merchant.id, terminalId: t2.id, status: 'accepted', amount: 3_000, respondedAfterH: 12 });
      await dispute({ n: 4, group: 'not_received', merchantId: m2.id, terminalId: t3.id, status: 'expired', amount: 2_000 });
      await dispute({ n: 5, group: 'fraud', merchantId: m2.id, terminalId: t3.id, status: 'needs_response', amount: 7_000 });
      await dispute({ n: 6, group: 'fraud', merchantId: m2.id, terminalId: t3.id, status: 'won', amount: 99_999, respondedAfterH: 1, opened: new Date('2026-01-05T10:00:00+08:00') }); // before the period
    });
    const analyst = await t.login((await t.f.user(C.org.id, 'risk_analyst')).email);
    return { C, m2, t1, t2, t3, analyst };
  }

  it('computes win rate, money charged back and kept, hours to answer, by reason group and merchant, and findings per 1,000 payments', async () => {
    const { C, m2, t2, analyst } = await knownSet();
    const res = await get('/api/v1/disputes/report?from=2026-02-01&to=2026-02-28', analyst);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.totals).toEqual({
      opened: 5, open: 1, won: 1, lost: 1, accepted: 1, expired: 1, winRate: 0.5,
      amountMinor: 27_000, lostMinor: 10_000, recoveredMinor: 10_000, responded: 3, medianRespondHours: 24, meanRespondHours: 28,
    });
    const fraud = r.byGroup.find((g: { group: string }) => g.group === 'fraud');
    expect(fraud).toMatchObject({ label: 'Fraud / card absent, cardholder did not authorise', opened: 3, won: 1, lost: 1, open: 1, winRate: 0.5, lostMinor: 5_000, recoveredMinor: 10_000, medianRespondHours: 36, meanRespondHours: 36 });
    expect(r.byGroup.find((g: { group: string }) => g.group === 'authorization')).toMatchObject({ opened: 0, winRate: null, medianRespondHours: null });
    expect(r.byMerchant.map((m: { label: string; opened: number; lostMinor: number }) => [m.label, m.opened, m.lostMinor])).toEqual([['Alpha Mart', 3, 8_000], ['Zeta Store', 2, 2_000]]);

    const model = r.rates.model.map((x: { label: string; payments: number; duplicates: number; fraud: number; duplicatesPer1000: number; fraudPer1000: number }) => [x.label, x.payments, x.duplicates, x.fraud, x.duplicatesPer1000, x.fraudPer1000]);
    expect(model).toEqual([['Sunmi P2', 500, 5, 1, 10, 2], ['PAX A920', 3000, 2, 0, 0.67, 0]]);
    expect(r.rates.app_version.map((x: { label: string; payments: number; duplicatesPer1000: number; disputesPer1000: number }) => [x.label, x.payments, x.duplicatesPer1000, x.disputesPer1000])).toEqual([
      ['2.0', 1500, 3.33, 2],
      ['1.0', 2000, 1, 1],
    ]);
    expect(r.rates.terminal[0]).toMatchObject({ key: t2.id, label: 'C-T2', payments: 500, duplicatesPer1000: 10, fraudPer1000: 2, disputesPer1000: 2 });
    expect(r.rates.merchant.map((x: { label: string; payments: number }) => [x.label, x.payments])).toEqual([['Alpha Mart', 2500], ['Zeta Store', 1000]]);

    // One merchant: only its disputes, payments and findings.
    const z = (await get(`/api/v1/disputes/report?from=2026-02-01&to=2026-02-28&merchantId=${m2.id}`, analyst)).json();
    expect(z.totals).toMatchObject({ opened: 2, expired: 1, open: 1, lostMinor: 2_000 });
    expect(z.rates.terminal.map((x: { label: string }) => x.label)).toEqual(['C-T3']);
    // Another organization's merchant is not found; merchants do not get the league table.
    expect((await get(`/api/v1/disputes/report?merchantId=${A.merchant.id}`, analyst)).statusCode).toBe(404);
    expect((await get('/api/v1/disputes/report', await t.login(C.merchantUser.email))).statusCode).toBe(403);
  });

  it('exports the tables as CSV (one, headers in the reader’s language) and XLSX (all)', async () => {
    const { analyst } = await knownSet();
    const csvRes = await get('/api/v1/disputes/report/export?format=csv&section=model&from=2026-02-01&to=2026-02-28', analyst, 'zh-CN');
    expect(csvRes.statusCode, csvRes.body).toBe(200);
    const lines = csvRes.body.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('机型,交易笔数,重复扣款,欺诈发现,争议,每千笔重复扣款,每千笔欺诈发现,每千笔争议');
    expect(lines[1]).toBe('Sunmi P2,500,5,1,1,10,2,2');
    const x = await get('/api/v1/disputes/report/export?format=xlsx&from=2026-02-01&to=2026-02-28', analyst);
    expect(x.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['By reason group', 'By merchant', 'Per 1,000 by merchant', 'Per 1,000 by terminal', 'Per 1,000 by model', 'Per 1,000 by app version']);
    const groups = wb.worksheets[0]!;
    expect(groups.getRow(2).values).toEqual([undefined, 'Fraud / card absent, cardholder did not authorise', 3, 1, 1, 1, 0, 0, 50, 220, 50, 100, 2, 36, 36]);
  });
});
