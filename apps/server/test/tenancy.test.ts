/**
 * The tenancy matrix: a user of organization A, or a merchant user of merchant A, can neither read
 * nor change anything of B through any API route. Every /api/v1 route must appear here or in the
 * list of routes that carry no tenant data, so a new route cannot skip this test.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { merchants, sites, terminals, users } from '../src/db/schema.js';
import { createTestApp, type TestApp } from './harness.js';
import { multipartFile } from './multipart.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let B: Awaited<ReturnType<TestApp['tenant']>>;
/** A second merchant inside A's organization, for merchant-level isolation. */
let A2: { merchant: { id: string }; site: { id: string }; terminal: { id: string } };
let cookieA: string;
let cookieMerchantA: string;
let codeB: string;
/** B's alert-side objects. */
let alertB: string;
let silenceB: string;
let windowB: string;
let webhookB: string;
let notifyB: { channel: string; contact: string; rotation: string };
let ticketB: string;
// -- kb ids --
let kbArticleB: string;
let kbImageB: string;
// -- fieldwork ids --
/** B's field-service objects. */
let fw: { wo: string; depot: string; part: string; photo: string };
// -- reports ids --
// -- findings ids --
/** B's duplicate-charge finding. */
let findingB: string;
// -- risk ids --
/** B's risk case (a fraud finding) and block list entry. */
let riskB: { caseId: string; blockId: string };
// -- disputes ids --
/** B's dispute (on B's payment) and a photo added to it. */
let disputeB: { id: string; photo: string };
// -- remote management ids --
/** B's bulk command and log bundle. */
let remoteB: { batch: string; log: string };
// -- software catalogue ids --
/** B's trusted signing key and catalogued package. */
let softwareB: { key: string; pkg: string };
/** B's rollout. */
let rolloutB: string;

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  B = await t.tenant();
  const m2 = await t.f.merchant(A.org.id);
  const s2 = await t.f.site(A.org.id, m2.id);
  const t2 = await t.f.terminal(A.org.id, { siteId: s2.id, merchantId: m2.id, lifecycleState: 'installed' });
  A2 = { merchant: m2, site: s2, terminal: t2 };
  cookieA = await t.login(A.admin.email);
  cookieMerchantA = await t.login(A.merchantUser.email);
  const cookieB = await t.login(B.admin.email);
  codeB = (await t.app.inject({ method: 'POST', url: '/api/v1/enrollment-codes', headers: { cookie: cookieB }, payload: {} })).json().id;
  const now = t.clock.now();
  const later = new Date(now.getTime() + 3_600_000).toISOString();
  alertB = randomUUID();
  await t.db.rawTransaction((tx) =>
    tx.query(
      `INSERT INTO alerts (id, org_id, fingerprint, rule_code, rule_version, severity, status, group_by, scope_key, scope_label, terminal_id, site_id, merchant_id, members, member_count, started_at, last_change_at)
       VALUES ($1, $2, 'sec.tamper:x', 'sec.tamper', 1, 'critical', 'firing', 'terminal', $3::text, 'B', $3::uuid, $4, $5, '[]', 1, $6, $6)`,
      [alertB, B.org.id, B.terminal.id, B.site.id, B.merchant.id, now],
    ),
  );
  const asB = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: { cookie: cookieB }, payload });
  silenceB = (await asB('/api/v1/silences', { matchers: { siteId: B.site.id }, endsAt: later, comment: 'b' })).json().id;
  windowB = (await asB('/api/v1/maintenance-windows', { siteId: B.site.id, startsAt: now.toISOString(), endsAt: later, reason: 'b' })).json().id;
  webhookB = (await asB('/api/v1/webhooks', { name: 'b', url: 'https://b.example.test/hook' })).json().id;
  ticketB = (await asB('/api/v1/tickets', { terminalId: B.terminal.id, title: 'b' })).json().ticket.id;
  // -- notification channels setup --
  {
    const channel = (await asB('/api/v1/notify-channels', { kind: 'aliyun_sms', name: 'b', accessKeyId: 'b-id', accessKeySecret: 'b-secret', signName: 'b' })).json().id;
    const contact = (await asB(`/api/v1/merchants/${B.merchant.id}/contacts`, { name: 'b', mobile: '13800009999', topics: ['alert'] })).json().id;
    const rotation = (await asB('/api/v1/oncall-rotations', { team: 'b', startsOn: '2026-03-01', members: [{ userId: B.admin.id, mobile: null }] })).json().id;
    notifyB = { channel, contact, rotation };
    extraIdsOfB.push(channel, contact, rotation);
  }
  // -- kb setup --
  {
    const txt = { 'zh-CN': 'B 的读卡器文章', 'en-US': 'B reader article' };
    kbArticleB = (await asB('/api/v1/kb/articles', { title: txt, summary: txt, body: txt, causeCodes: ['hw.reader.chip'] })).json().id;
    await asB(`/api/v1/kb/articles/${kbArticleB}/status`, { status: 'published' });
    const { multipartFile } = await import('./multipart.js');
    const png = multipartFile('b.png', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    kbImageB = (await t.app.inject({ method: 'POST', url: '/api/v1/kb/images', headers: { cookie: cookieB, ...png.headers }, payload: png.payload })).json().id;
    extraIdsOfB.push(kbArticleB, kbImageB);
  }
  // -- fieldwork setup --
  {
    const depot = (await asB('/api/v1/depots', { code: 'B-DEPOT', name: 'b' })).json().id as string;
    const part = (await asB('/api/v1/parts', { sku: 'B-PART', kind: 'reader', name: { 'zh-CN': 'b', 'en-US': 'b' } })).json().id as string;
    await asB('/api/v1/stock/receive', { depotId: depot, partId: part, quantity: 5 });
    const wo = (await asB('/api/v1/work-orders', { ticketId: ticketB, kind: 'repair', assigneeId: B.admin.id, depotId: depot })).json().id as string;
    await asB(`/api/v1/work-orders/${wo}/status`, { to: 'on_site' });
    const jpeg = multipartFile('b.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64)]));
    const up = await t.app.inject({ method: 'POST', url: `/api/v1/work-orders/${wo}/photos`, headers: { cookie: cookieB, ...jpeg.headers }, payload: jpeg.payload });
    fw = { wo, depot, part, photo: up.json().photos[0].id as string };
    extraIdsOfB.push(depot, part, wo, fw.photo);
  }
  // -- remote management setup --
  {
    remoteB = { batch: randomUUID(), log: randomUUID() };
    await t.db.rawTransaction(async (tx) => {
      await tx.query(`INSERT INTO command_batches (id, org_id, name, filter, total, created_at) VALUES ($1, $2, 'self_test', '{}', 1, $3)`, [remoteB.batch, B.org.id, now]);
      await tx.query(`INSERT INTO log_bundles (id, org_id, terminal_id, filename, content_type, bytes, data, created_at) VALUES ($1, $2, $3, 'b.txt', 'text/plain', 1, 'b', $4)`, [remoteB.log, B.org.id, B.terminal.id, now]);
    });
    extraIdsOfB.push(remoteB.batch, remoteB.log);
  }
  // -- software catalogue setup --
  {
    softwareB = { key: randomUUID(), pkg: randomUUID() };
    await t.db.rawTransaction(async (tx) => {
      await tx.query(`INSERT INTO signing_keys (id, org_id, key_id, vendor, public_key, created_at) VALUES ($1, $2, 'b-key', 'PAX', 'AAAA', $3)`, [softwareB.key, B.org.id, now]);
      await tx.query(
        `INSERT INTO software_packages (id, org_id, vendor, kind, version, filename, bytes, sha256, signature, key_id, models, notes_zh, notes_en, data, created_at)
         VALUES ($1, $2, 'PAX', 'app', '1.0.0', 'b.apk', 1, $3, 'sig', 'b-key', '["A920"]', 'b', 'b', 'b', $4)`,
        [softwareB.pkg, B.org.id, 'b'.repeat(64), now],
      );
    });
    extraIdsOfB.push(softwareB.key, softwareB.pkg);
    rolloutB = randomUUID();
    await t.db.rawTransaction((tx) =>
      tx.query(
        `INSERT INTO rollouts (id, org_id, name, package_id, filter, waves, state, matched, excluded, created_at, updated_at) VALUES ($1, $2, 'b', $3, '{}', '[100]', 'planned', 1, 0, $4, $4)`,
        [rolloutB, B.org.id, softwareB.pkg, now],
      ),
    );
    extraIdsOfB.push(rolloutB);
  }
  // -- reports setup --
  // -- risk setup --
  {
    const [f] = await t.db.rawTransaction((tx) =>
      tx.query<{ id: string }>(
        `INSERT INTO txn_findings (org_id, key, code, merchant_id, terminal_id, card_token, amount_minor, first_at, last_at, txn_ids, summary_zh, summary_en, action)
         VALUES ($1, 'risk.split_sale|b', 'risk.split_sale', $2, $3, 'tok_b_case', 1500000, $4, $4, '["b"]', 'b', 'b', 'review') RETURNING id`,
        [B.org.id, B.merchant.id, B.terminal.id, now],
      ),
    );
    const blockId = (await asB('/api/v1/risk/blocks', { kind: 'card_token', value: 'tok_b_blocked' })).json().id as string;
    riskB = { caseId: f!.id, blockId };
    extraIdsOfB.push(f!.id, blockId);
  }
  // -- payments setup --
  // B's payment (terminal line and host record, STAN 000777), an hour ago.
  await t.db.rawTransaction(async (tx) => {
    const at = new Date(now.getTime() - 3_600_000);
    await tx.query(
      `INSERT INTO transactions (org_id, terminal_id, msg_id, at, received_at, stan, amount_minor, currency, entry_mode, outcome, type, merchant_id, card_token)
       VALUES ($1, $2, 'b-pay-1', $3, $3, '000777', 4200, 'CNY', 'chip', 'timeout', 'sale', $4, 'tok_b_pay')`,
      [B.org.id, B.terminal.id, at, B.merchant.id],
    );
    await tx.query(
      `INSERT INTO host_records (org_id, id, at, received_at, terminal_id, merchant_id, type, amount_minor, currency, entry_mode, stan, outcome, origin)
       VALUES ($1, 'b-host-1', $2, $2, $3, $4, 'sale', 4200, 'CNY', 'chip', '000777', 'approved', 'jsonl')`,
      [B.org.id, at, B.terminal.id, B.merchant.id],
    );
  });
  // -- findings setup --
  {
    const [f] = await t.db.rawTransaction((tx) =>
      tx.query<{ id: string }>(
        `INSERT INTO txn_findings (org_id, key, code, merchant_id, terminal_id, card_token, amount_minor, first_at, last_at, txn_ids, summary_zh, summary_en, action)
         VALUES ($1, 'dup.double_submit|b', 'dup.double_submit', $2, $3, 'tok_b_dup', 5000, $4, $4, '["b1","b2"]', 'b', 'b', 'refund_duplicate') RETURNING id`,
        [B.org.id, B.merchant.id, B.terminal.id, now],
      ),
    );
    findingB = f!.id;
    extraIdsOfB.push(findingB);
  }
  // -- disputes setup --
  {
    await t.db.rawTransaction((tx) => tx.query(`UPDATE host_records SET rrn = '777000000777' WHERE org_id = $1 AND id = 'b-host-1'`, [B.org.id]));
    const d = (await asB('/api/v1/disputes', { network: 'visa', kind: 'first_chargeback', reasonCode: '13.1', caseNumber: 'B-CASE-1', amountMinor: 4200, payment: { rrn: '777000000777' } })).json();
    const jpeg = multipartFile('b.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64)]));
    const up = await t.app.inject({ method: 'POST', url: `/api/v1/disputes/${d.id}/photos`, headers: { cookie: cookieB, ...jpeg.headers }, payload: jpeg.payload });
    disputeB = { id: d.id, photo: up.json().evidence[0].id };
    extraIdsOfB.push(disputeB.id, disputeB.photo);
  }
});
/** Ids of B's objects created by the area setups below, which no list of A may show. */
const extraIdsOfB: string[] = [];
afterAll(async () => t?.close());

const acceptance = {
  items: { receipt_print: 'pass', keypad: 'pass', chip_read: 'pass', tap_read: 'pass', swipe_read: 'pass', network: 'pass', time_sync: 'pass' },
};

/** Requests that name another tenant's objects. Each must be refused without revealing them. */
function crossTenantRequests(other: { org: { id: string }; merchant: { id: string }; site: { id: string }; terminal: { id: string }; admin?: { id: string } }) {
  return [
    // -- operations --
    // Background jobs are the installation's, not an organization's: platform admins only (jobs.test.ts reads them as one).
    { method: 'GET', url: '/api/v1/admin/jobs/failed' },
    { method: 'GET', url: `/api/v1/organizations/${other.org.id}` },
    // Another organization's audit chain: for platform admins only.
    { method: 'GET', url: `/api/v1/audit/verify?orgId=${other.org.id}` },
    { method: 'PATCH', url: `/api/v1/organizations/${other.org.id}`, payload: { name: 'pwned' } },
    { method: 'GET', url: `/api/v1/merchants/${other.merchant.id}` },
    { method: 'PATCH', url: `/api/v1/merchants/${other.merchant.id}`, payload: { name: 'pwned' } },
    { method: 'DELETE', url: `/api/v1/merchants/${other.merchant.id}` },
    { method: 'POST', url: '/api/v1/merchants', payload: { orgId: other.org.id, mid: 'X1', name: 'planted' } },
    { method: 'GET', url: `/api/v1/sites/${other.site.id}` },
    { method: 'PATCH', url: `/api/v1/sites/${other.site.id}`, payload: { name: 'pwned' } },
    { method: 'DELETE', url: `/api/v1/sites/${other.site.id}` },
    { method: 'POST', url: '/api/v1/sites', payload: { merchantId: other.merchant.id, code: 'PLANT', name: 'planted' } },
    { method: 'GET', url: `/api/v1/terminals/${other.terminal.id}` },
    { method: 'PATCH', url: `/api/v1/terminals/${other.terminal.id}`, payload: { model: 'pwned' } },
    { method: 'POST', url: `/api/v1/terminals/${other.terminal.id}/lifecycle`, payload: { to: 'active' } },
    { method: 'POST', url: `/api/v1/terminals/${other.terminal.id}/acceptance`, payload: acceptance },
    { method: 'POST', url: '/api/v1/terminals', payload: { orgId: other.org.id, serialNumber: 'PLANT0001', vendor: 'PAX', model: 'A920' } },
    { method: 'POST', url: '/api/v1/terminals', payload: { serialNumber: 'PLANT0002', vendor: 'PAX', model: 'A920', siteId: other.site.id } },
    ...(other.admin ? [{ method: 'PATCH', url: `/api/v1/users/${other.admin.id}`, payload: { name: 'pwned' } }] : []),
    ...(other.admin ? [{ method: 'DELETE', url: `/api/v1/users/${other.admin.id}/mfa` }] : []),
    { method: 'GET', url: `/api/v1/organizations/${other.org.id}/support` },
    { method: 'PUT', url: `/api/v1/organizations/${other.org.id}/support`, payload: { phone: '400-000-0000', hours: null } },
    { method: 'GET', url: `/api/v1/organizations/${other.org.id}/security` },
    { method: 'PUT', url: `/api/v1/organizations/${other.org.id}/security`, payload: { mfaRequiredRoles: [], mfaRememberDays: 0 } },
    { method: 'GET', url: `/api/v1/terminals/${other.terminal.id}/live` },
    { method: 'GET', url: `/api/v1/terminals/${other.terminal.id}/telemetry` },
    { method: 'GET', url: `/api/v1/terminals/${other.terminal.id}/events` },
    { method: 'GET', url: `/api/v1/terminals/${other.terminal.id}/transactions` },
    { method: 'GET', url: `/api/v1/terminals/${other.terminal.id}/credential` },
    { method: 'POST', url: `/api/v1/terminals/${other.terminal.id}/diagnosis`, payload: {} },
    { method: 'POST', url: `/api/v1/terminals/${other.terminal.id}/troubleshoot`, payload: { symptom: 'no_receipt' } },
    { method: 'POST', url: `/api/v1/terminals/${other.terminal.id}/commands`, payload: { name: 'reboot' } },
    { method: 'GET', url: `/api/v1/terminals/${other.terminal.id}/commands` },
    // -- remote management requests --
    { method: 'POST', url: '/api/v1/commands/bulk/preview', payload: { siteId: other.site.id } },
    { method: 'POST', url: '/api/v1/commands/bulk', payload: { name: 'lock', filter: { merchantId: other.merchant.id }, expectedCount: 1 } },
    { method: 'GET', url: `/api/v1/command-batches/${remoteB.batch}` },
    { method: 'GET', url: `/api/v1/terminals/${other.terminal.id}/logs` },
    { method: 'GET', url: `/api/v1/terminals/${other.terminal.id}/logs/${remoteB.log}` },
    // -- software catalogue requests --
    { method: 'GET', url: `/api/v1/software/packages/${softwareB.pkg}` },
    { method: 'PUT', url: `/api/v1/software/packages/${softwareB.pkg}/compat`, payload: { models: ['pwned'], minOsVersion: null } },
    { method: 'POST', url: `/api/v1/signing-keys/${softwareB.key}/revoke` },
    { method: 'GET', url: `/api/v1/rollouts/${rolloutB}` },
    { method: 'POST', url: `/api/v1/rollouts/${rolloutB}/transition`, payload: { to: 'aborted' } },
    { method: 'POST', url: '/api/v1/rollouts', payload: { name: 'planted', packageId: softwareB.pkg, filter: {} } },
    { method: 'POST', url: '/api/v1/rollouts', payload: { name: 'planted', packageId: randomUUID(), filter: { siteId: other.site.id } } },
    { method: 'POST', url: '/api/v1/commands/bulk/preview', payload: { packageId: softwareB.pkg } },
    { method: 'POST', url: `/api/v1/terminals/${A.terminal.id}/commands`, payload: { name: 'install', args: { kind: 'app', version: '1.0.0', packageId: softwareB.pkg } } },
    { method: 'POST', url: `/api/v1/terminals/${other.terminal.id}/credential/revoke` },
    { method: 'DELETE', url: `/api/v1/enrollment-codes/${codeB}` },
    { method: 'GET', url: `/api/v1/alerts/${alertB}` },
    { method: 'POST', url: `/api/v1/alerts/${alertB}/ack`, payload: {} },
    { method: 'POST', url: `/api/v1/alerts/${alertB}/diagnose` },
    { method: 'DELETE', url: `/api/v1/silences/${silenceB}` },
    { method: 'DELETE', url: `/api/v1/maintenance-windows/${windowB}` },
    { method: 'POST', url: '/api/v1/maintenance-windows', payload: { siteId: other.site.id, startsAt: '2026-03-02T00:00:00Z', endsAt: '2030-01-01T00:00:00Z', reason: 'planted' } },
    { method: 'POST', url: '/api/v1/silences', payload: { matchers: { terminalId: other.terminal.id }, endsAt: '2030-01-01T00:00:00Z', comment: 'planted' } },
    { method: 'PATCH', url: `/api/v1/webhooks/${webhookB}`, payload: { name: 'pwned' } },
    { method: 'DELETE', url: `/api/v1/webhooks/${webhookB}` },
    { method: 'POST', url: `/api/v1/webhooks/${webhookB}/test` },
    // -- notification channels --
    { method: 'PATCH', url: `/api/v1/notify-channels/${notifyB.channel}`, payload: { name: 'pwned' } },
    { method: 'DELETE', url: `/api/v1/notify-channels/${notifyB.channel}` },
    { method: 'POST', url: `/api/v1/notify-channels/${notifyB.channel}/test`, payload: { mobile: '13800000000' } },
    { method: 'GET', url: `/api/v1/notify-channels/${notifyB.channel}/templates` },
    { method: 'PUT', url: `/api/v1/notify-channels/${notifyB.channel}/templates`, payload: [{ purpose: 'test', language: 'zh-CN', templateCode: 'pwned', params: [] }] },
    { method: 'GET', url: `/api/v1/merchants/${other.merchant.id}/contacts` },
    { method: 'POST', url: `/api/v1/merchants/${other.merchant.id}/contacts`, payload: { name: 'planted', mobile: '13800000000', topics: ['alert'] } },
    { method: 'PATCH', url: `/api/v1/merchant-contacts/${notifyB.contact}`, payload: { name: 'pwned', mobile: '13800000000', topics: ['alert'] } },
    { method: 'DELETE', url: `/api/v1/merchant-contacts/${notifyB.contact}` },
    { method: 'PUT', url: `/api/v1/oncall-rotations/${notifyB.rotation}`, payload: { team: 'pwned', startsOn: '2026-03-01', members: [{ userId: other.admin?.id ?? randomUUID(), mobile: null }] } },
    { method: 'DELETE', url: `/api/v1/oncall-rotations/${notifyB.rotation}` },
    { method: 'GET', url: `/api/v1/tickets/${ticketB}` },
    { method: 'POST', url: `/api/v1/tickets/${ticketB}/transition`, payload: { to: 'triaged' } },
    { method: 'POST', url: `/api/v1/tickets/${ticketB}/comments`, payload: { body: 'pwned' } },
    { method: 'POST', url: `/api/v1/tickets/${ticketB}/assign`, payload: { assigneeId: null } },
    { method: 'GET', url: `/api/v1/tickets/${ticketB}/similar` },
    { method: 'POST', url: '/api/v1/tickets', payload: { terminalId: other.terminal.id, title: 'planted' } },
    // -- kb requests --
    { method: 'GET', url: `/api/v1/kb/articles/${kbArticleB}` },
    { method: 'PUT', url: `/api/v1/kb/articles/${kbArticleB}`, payload: { title: { 'zh-CN': 'pwned', 'en-US': 'pwned' }, summary: {}, body: {}, baseVersion: 2 } },
    { method: 'POST', url: `/api/v1/kb/articles/${kbArticleB}/status`, payload: { status: 'archived' } },
    { method: 'GET', url: `/api/v1/kb/articles/${kbArticleB}/versions` },
    { method: 'GET', url: `/api/v1/kb/articles/${kbArticleB}/version?n=1` },
    { method: 'POST', url: `/api/v1/kb/articles/${kbArticleB}/restore`, payload: { version: 1 } },
    { method: 'POST', url: `/api/v1/kb/articles/${kbArticleB}/feedback`, payload: { helpful: false } },
    { method: 'GET', url: `/api/v1/kb/images/${kbImageB}` },
    { method: 'POST', url: '/api/v1/kb/case-studies', payload: { ticketId: ticketB } },
    // -- fieldwork requests --
    { method: 'POST', url: '/api/v1/work-orders', payload: { ticketId: ticketB, kind: 'repair', assigneeId: B.admin.id } },
    { method: 'POST', url: '/api/v1/work-orders', payload: { terminalId: other.terminal.id, kind: 'repair', assigneeId: B.admin.id } },
    { method: 'GET', url: `/api/v1/work-orders/${fw.wo}` },
    { method: 'PATCH', url: `/api/v1/work-orders/${fw.wo}`, payload: { notes: 'pwned' } },
    { method: 'POST', url: `/api/v1/work-orders/${fw.wo}/status`, payload: { to: 'cancelled', reason: 'pwned' } },
    { method: 'POST', url: `/api/v1/work-orders/${fw.wo}/assign`, payload: { assigneeId: B.admin.id } },
    { method: 'POST', url: `/api/v1/work-orders/${fw.wo}/checklist`, payload: { itemId: 'identify', done: true } },
    { method: 'POST', url: `/api/v1/work-orders/${fw.wo}/parts`, payload: { partId: fw.part, quantity: 1 } },
    { method: 'POST', url: `/api/v1/work-orders/${fw.wo}/photos` },
    { method: 'GET', url: `/api/v1/work-order-photos/${fw.photo}` },
    { method: 'POST', url: `/api/v1/work-orders/${fw.wo}/signoff`, payload: { signerName: 'pwned', signature: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==' } },
    { method: 'GET', url: `/api/v1/work-orders/${fw.wo}/swap-candidates` },
    { method: 'POST', url: `/api/v1/work-orders/${fw.wo}/swap`, payload: { newTerminalId: other.terminal.id } },
    { method: 'GET', url: `/api/v1/terminals/${other.terminal.id}/custody` },
    { method: 'POST', url: `/api/v1/terminals/${other.terminal.id}/custody/return`, payload: { depotId: fw.depot } },
    { method: 'PATCH', url: `/api/v1/depots/${fw.depot}`, payload: { name: 'pwned' } },
    { method: 'PATCH', url: `/api/v1/parts/${fw.part}`, payload: { unit: 'pwned' } },
    { method: 'POST', url: '/api/v1/stock/receive', payload: { depotId: fw.depot, partId: fw.part, quantity: 1 } },
    { method: 'POST', url: '/api/v1/stock/transfer', payload: { fromDepotId: fw.depot, toDepotId: randomUUID(), partId: fw.part, quantity: 1 } },
    { method: 'POST', url: '/api/v1/stock/adjust', payload: { depotId: fw.depot, partId: fw.part, delta: -5, note: 'pwned' } },
    // -- reports requests --
    { method: 'GET', url: `/api/v1/tickets/${ticketB}/rating` },
    { method: 'POST', url: `/api/v1/tickets/${ticketB}/rating`, payload: { score: 1, comment: 'planted' } },
    { method: 'GET', url: `/api/v1/reports/service-desk?merchantId=${other.merchant.id}` },
    { method: 'GET', url: `/api/v1/reports/service-desk/export?format=csv&merchantId=${other.merchant.id}` },
    { method: 'GET', url: `/api/v1/reports/satisfaction?merchantId=${other.merchant.id}` },
    // -- payments requests --
    { method: 'GET', url: `/api/v1/payments/${other.terminal.id}/000777?day=2026-03-02` },
    { method: 'GET', url: `/api/v1/payments?terminalId=${other.terminal.id}` },
    { method: 'GET', url: `/api/v1/payments/stats?merchantId=${other.merchant.id}` },
    { method: 'GET', url: `/api/v1/reconciliation?day=2026-03-02&terminalId=${other.terminal.id}` },
    // -- findings requests --
    { method: 'GET', url: `/api/v1/findings/${findingB}` },
    { method: 'POST', url: `/api/v1/findings/${findingB}/ask-for-help`, payload: { message: 'planted' } },
    { method: 'GET', url: `/api/v1/payments/charged-twice?at=2026-03-02T01:00:00Z&amountMinor=5000&terminalId=${other.terminal.id}` },
    // -- risk requests --
    { method: 'GET', url: `/api/v1/risk/cases/${riskB.caseId}` },
    { method: 'POST', url: `/api/v1/risk/cases/${riskB.caseId}/assign`, payload: { assigneeId: null } },
    { method: 'POST', url: `/api/v1/risk/cases/${riskB.caseId}/notes`, payload: { body: 'planted' } },
    { method: 'POST', url: `/api/v1/risk/cases/${riskB.caseId}/decision`, payload: { decision: 'not_fraud', note: 'pwned' } },
    { method: 'DELETE', url: `/api/v1/risk/blocks/${riskB.blockId}` },
    { method: 'POST', url: '/api/v1/risk/blocks', payload: { kind: 'terminal', value: other.terminal.id, reason: 'planted' } },
    { method: 'POST', url: '/api/v1/risk/blocks', payload: { kind: 'card_token', value: 'tok_planted', findingId: riskB.caseId } },
    { method: 'POST', url: '/api/v1/risk/decide', payload: { terminalId: other.terminal.id, cardToken: 'tok_b_blocked', amountMinor: 100, entryMode: 'chip', at: '2026-03-02T00:00:00Z' } },
    { method: 'POST', url: '/api/v1/risk/thresholds', payload: { overrides: { splitSale: { singleSaleLimitByMerchant: { [other.merchant.id]: 100 } } }, note: 'planted', baseVersion: 0 } },
    { method: 'POST', url: '/api/v1/risk/thresholds/backtest', payload: { overrides: { splitSale: { singleSaleLimitByMerchant: { [other.merchant.id]: 100 } } } } },
    // -- disputes requests --
    { method: 'GET', url: `/api/v1/disputes/${disputeB.id}` },
    { method: 'POST', url: `/api/v1/disputes/${disputeB.id}/evidence`, payload: { body: 'planted' } },
    { method: 'POST', url: `/api/v1/disputes/${disputeB.id}/photos` },
    { method: 'GET', url: `/api/v1/dispute-evidence/${disputeB.photo}` },
    { method: 'POST', url: `/api/v1/disputes/${disputeB.id}/transition`, payload: { to: 'accepted', note: 'planted' } },
    { method: 'POST', url: `/api/v1/disputes/${disputeB.id}/pack` },
    { method: 'POST', url: `/api/v1/disputes/${disputeB.id}/match`, payload: { payment: { rrn: '777000000777' } } },
    { method: 'GET', url: `/api/v1/disputes/${disputeB.id}/pdf` },
    { method: 'GET', url: `/api/v1/disputes?merchantId=${other.merchant.id}` },
    { method: 'GET', url: `/api/v1/disputes/report?merchantId=${other.merchant.id}` },
    { method: 'GET', url: `/api/v1/disputes/report/export?format=csv&merchantId=${other.merchant.id}` },
    { method: 'POST', url: '/api/v1/users', payload: { orgId: other.org.id, email: 'plant@x.test', name: 'p', role: 'admin', password: 'Planted-Pass-1' } },
  ] as const;
}

async function snapshotOf(ids: { merchant: { id: string }; site: { id: string }; terminal: { id: string } }) {
  const [m] = await t.db.orm.select().from(merchants).where(eq(merchants.id, ids.merchant.id));
  const [s] = await t.db.orm.select().from(sites).where(eq(sites.id, ids.site.id));
  const [term] = await t.db.orm.select().from(terminals).where(eq(terminals.id, ids.terminal.id));
  return JSON.stringify({ m, s, term });
}

describe('tenant isolation', () => {
  it('an admin of organization A gets "not found" for every object of organization B, and B is unchanged', async () => {
    const before = await snapshotOf(B);
    for (const r of crossTenantRequests(B)) {
      const res = await t.app.inject({ method: r.method, url: r.url, headers: { cookie: cookieA }, ...('payload' in r ? { payload: r.payload } : {}) });
      expect([403, 404], `${r.method} ${r.url} → ${res.statusCode} ${res.body}`).toContain(res.statusCode);
      expect(res.body).not.toMatch(/pwned|planted/);
    }
    expect(await snapshotOf(B)).toBe(before);
    const [bAdmin] = await t.db.orm.select().from(users).where(eq(users.id, B.admin.id));
    expect(bAdmin!.name).not.toBe('pwned');
    const planted = await t.db.orm.select().from(terminals).where(eq(terminals.orgId, B.org.id));
    expect(planted.map((x) => x.serialNumber)).not.toContain('PLANT0001');
  });

  it('lists of organization A never contain organization B rows', async () => {
    for (const url of [
      '/api/v1/merchants', '/api/v1/sites', '/api/v1/terminals', '/api/v1/users', '/api/v1/audit', '/api/v1/organizations', '/api/v1/fleet/overview', '/api/v1/enrollment-codes',
      '/api/v1/device-rejections', '/api/v1/alerts?status=all&suppressed=show', '/api/v1/silences', '/api/v1/maintenance-windows', '/api/v1/webhooks', '/api/v1/deliveries', '/api/v1/notifications', '/api/v1/tickets?status=all', '/api/v1/tickets/assignees',
      // -- notification channels lists --
      '/api/v1/notify-channels', '/api/v1/oncall-rotations',
      // -- kb lists --
      '/api/v1/kb/search?status=all', '/api/v1/kb/search?q=reader%20读卡器&status=all', '/api/v1/kb/for-causes?codes=hw.reader.chip', '/api/v1/kb/causes',
      // -- fieldwork lists --
      '/api/v1/work-orders?status=all', '/api/v1/work-orders/assignees', '/api/v1/depots', '/api/v1/parts', '/api/v1/stock', '/api/v1/stock/movements',
      // -- reports lists --
      '/api/v1/reports/service-desk', '/api/v1/reports/satisfaction?by=agent', '/api/v1/reports/satisfaction?by=cause',
      // -- payments lists --
      '/api/v1/payments', '/api/v1/payments/stats', '/api/v1/reconciliation?day=2026-03-02', '/api/v1/reconciliation?day=2026-03-02&format=csv',
      // -- findings lists --
      '/api/v1/findings?status=all', '/api/v1/payments/charged-twice?at=2026-03-02T01:00:00Z&amountMinor=5000',
      // -- risk lists --
      '/api/v1/risk/cases?status=all', '/api/v1/risk/blocks?status=all', '/api/v1/risk/stats', '/api/v1/risk/thresholds', '/api/v1/risk/assignees',
      // -- disputes lists --
      '/api/v1/disputes?status=all', '/api/v1/disputes?status=unmatched', '/api/v1/disputes/payment-search?rrn=777000000777', '/api/v1/disputes/report',
      '/api/v1/disputes/report/export?format=csv&section=terminal', '/api/v1/disputes/report/export?format=csv&section=merchant',
      // -- remote management lists --
      '/api/v1/command-batches',
      // -- software catalogue lists --
      '/api/v1/software/packages', '/api/v1/signing-keys', '/api/v1/software/matrix', '/api/v1/rollouts',
    ]) {
      const res = await t.app.inject({ url, headers: { cookie: cookieA } });
      expect(res.statusCode, url).toBe(200);
      for (const id of [B.org.id, B.merchant.id, B.site.id, B.terminal.id, B.admin.id, alertB, silenceB, windowB, webhookB, ticketB, ...extraIdsOfB]) expect(res.body, `${url} leaks ${id}`).not.toContain(id);
    }
    const stats = await t.app.inject({ url: '/api/v1/terminals/stats', headers: { cookie: cookieA } });
    expect(stats.json().total).toBe(2);
  });

  it('a merchant user sees only its own merchant, sites and terminals', async () => {
    for (const url of ['/api/v1/merchants', '/api/v1/sites', '/api/v1/terminals']) {
      const res = await t.app.inject({ url, headers: { cookie: cookieMerchantA } });
      expect(res.statusCode).toBe(200);
      expect(res.json().total, url).toBe(1);
      for (const id of [A2.merchant.id, A2.site.id, A2.terminal.id]) expect(res.body).not.toContain(id);
    }
    for (const url of [`/api/v1/merchants/${A2.merchant.id}`, `/api/v1/sites/${A2.site.id}`, `/api/v1/terminals/${A2.terminal.id}`]) {
      const res = await t.app.inject({ url, headers: { cookie: cookieMerchantA } });
      expect(res.statusCode, url).toBe(404);
    }
    const own = await t.app.inject({ url: `/api/v1/terminals/${A.terminal.id}`, headers: { cookie: cookieMerchantA } });
    expect(own.statusCode).toBe(200);
  });

  it('a merchant user cannot change inventory, manage users or read the audit log', async () => {
    const attempts = [
      { method: 'PATCH', url: `/api/v1/terminals/${A.terminal.id}`, payload: { model: 'x' } },
      { method: 'POST', url: `/api/v1/terminals/${A.terminal.id}/lifecycle`, payload: { to: 'active' } },
      { method: 'POST', url: '/api/v1/merchants', payload: { mid: 'M9', name: 'x' } },
      { method: 'GET', url: '/api/v1/users' },
      { method: 'GET', url: '/api/v1/audit' },
    ] as const;
    for (const r of attempts) {
      const res = await t.app.inject({ method: r.method, url: r.url, headers: { cookie: cookieMerchantA }, ...('payload' in r ? { payload: r.payload } : {}) });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
      expect(res.json().error.id).toBe('auth.forbidden');
    }
  });

  it('every API route requires sign-in except the few that are public by design', async () => {
    const PUBLIC = new Set(['GET /api/v1/health', 'GET /api/v1/ready', 'POST /api/v1/auth/login', 'POST /api/v1/auth/login/second-factor', 'POST /api/v1/auth/logout']);
    expect(t.app.apiRoutes.length).toBeGreaterThan(20);
    for (const r of t.app.apiRoutes) {
      const key = `${r.method} ${r.url}`;
      if (PUBLIC.has(key)) {
        expect(r.auth, key).toBe('public');
        continue;
      }
      const url = r.url.replace(':id', A.terminal.id);
      const res = await t.app.inject({ method: r.method as 'GET', url, payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} });
      expect(res.statusCode, key).toBe(401);
      expect(res.json().error.id).toBe('auth.required');
    }
  });

  it('every tenant-data route is exercised by the cross-tenant matrix', () => {
    const covered = new Set(crossTenantRequests(B).map((r) => `${r.method} ${r.url.replace(/[0-9a-f-]{36}/g, ':id')}`));
    // Lists are checked by "lists never contain B rows"; the rest act only on the caller's own account.
    const OWN_OR_LIST = new Set([
      'GET /api/v1/health', 'POST /api/v1/auth/login', 'POST /api/v1/auth/logout', 'GET /api/v1/me', 'PATCH /api/v1/me/preferences',
      // -- operations own or list --
      // Readiness holds no tenant data (operations.test.ts).
      'GET /api/v1/ready',
      // Counts of the caller's own organization (merchants: their merchant), checked in overview.test.ts.
      'GET /api/v1/me/overview',
      // The terminal list and the ticket queue as files: the same scoped queries as the lists.
      'GET /api/v1/terminals/export', 'GET /api/v1/tickets/export',
      // Each chosen terminal is moved through the single-terminal service (checked below: another tenant's is refused as not found).
      'POST /api/v1/terminals/bulk/lifecycle',
      // Each chosen ticket is assigned through the single-ticket service (tickets.test.ts: another tenant's is refused as not found); the staff to choose from are the caller's own.
      'POST /api/v1/tickets/bulk/assign', 'GET /api/v1/tickets/assignees',
      'GET /api/v1/me/tokens', 'POST /api/v1/me/tokens', 'DELETE /api/v1/me/tokens/:id', 'GET /api/v1/organizations',
      // The signed-in user's own password and second factor.
      'POST /api/v1/auth/login/second-factor', 'POST /api/v1/me/password', 'GET /api/v1/me/mfa', 'POST /api/v1/me/mfa/totp', 'POST /api/v1/me/mfa/totp/confirm',
      'POST /api/v1/me/mfa/recovery-codes', 'POST /api/v1/me/mfa/disable', 'DELETE /api/v1/me/mfa/trusted-devices',
      'POST /api/v1/organizations', 'GET /api/v1/merchants', 'GET /api/v1/sites', 'GET /api/v1/terminals', 'GET /api/v1/terminals/stats',
      // The caller's own audit chain; another organization's is in the matrix as ?orgId= (a query string).
      'GET /api/v1/audit/verify',
      'GET /api/v1/users', 'GET /api/v1/audit', 'POST /api/v1/terminal-imports', 'GET /api/v1/fleet/overview',
      'GET /api/v1/enrollment-codes', 'POST /api/v1/enrollment-codes', 'GET /api/v1/device-rejections',
      // A case given whole is diagnosed without reading any stored data.
      'POST /api/v1/diagnoses', 'GET /api/v1/troubleshooter/symptoms',
      // Alerts: lists (checked below) and rules, which are the caller's organization's own by construction.
      'GET /api/v1/alerts', 'GET /api/v1/alert-rules', 'GET /api/v1/alert-rules/:code/versions', 'PUT /api/v1/alert-rules/:code',
      'POST /api/v1/alert-rules/preview', 'GET /api/v1/silences', 'GET /api/v1/maintenance-windows',
      'GET /api/v1/notifications', 'POST /api/v1/notifications/read', 'GET /api/v1/me/notification-preferences', 'PUT /api/v1/me/notification-preferences',
      'GET /api/v1/webhooks', 'POST /api/v1/webhooks', 'GET /api/v1/deliveries', 'GET /api/v1/tickets',
      // -- notification channels own or list --
      // The caller's own organization's channels and rotations (checked in the lists); quiet hours are the caller's own.
      'GET /api/v1/notify-channels', 'POST /api/v1/notify-channels', 'GET /api/v1/oncall-rotations', 'POST /api/v1/oncall-rotations', 'GET /api/v1/me/quiet-hours', 'PUT /api/v1/me/quiet-hours',
      // -- kb own or list --
      // Knowledge base: search and lists (checked above); new articles, pictures and the starter set are the caller's organization's own.
      // The one-version route is in the matrix as /version?n=1 (the matrix matches ids, not query strings).
      'GET /api/v1/kb/search', 'GET /api/v1/kb/for-causes', 'GET /api/v1/kb/causes', 'POST /api/v1/kb/articles', 'POST /api/v1/kb/images', 'POST /api/v1/kb/starter',
      'GET /api/v1/kb/articles/:id/version',
      // -- fieldwork own or list --
      'GET /api/v1/work-orders', 'GET /api/v1/work-orders/assignees', 'GET /api/v1/depots', 'POST /api/v1/depots', 'GET /api/v1/parts', 'POST /api/v1/parts',
      'GET /api/v1/stock', 'GET /api/v1/stock/movements',
      // -- reports own or list --
      // Reports aggregate the caller's own organization (checked in the lists; a foreign merchantId is "not found" above).
      'GET /api/v1/reports/service-desk', 'GET /api/v1/reports/service-desk/export', 'GET /api/v1/reports/satisfaction',
      // -- payments own or list --
      // Host records are resolved to the caller's own terminals only (payments-host.test.ts: another tenant's TID is an unknown terminal).
      'POST /api/v1/host-records',
      // Lists of the caller's own payments (checked in the lists); B's terminal or merchant as a filter is "not found" above,
      // and one payment of B is in the matrix as /payments/{terminal}/000777?day= (the matrix matches ids, not STANs).
      'GET /api/v1/payments', 'GET /api/v1/payments/stats', 'GET /api/v1/reconciliation', 'GET /api/v1/payments/:terminalId/:stan',
      // -- findings own or list --
      // The caller's own organization's findings and payments (checked in the lists; another's terminal is "not found" above).
      'GET /api/v1/findings', 'GET /api/v1/payments/charged-twice',
      // -- risk own or list --
      // The inbox, block list, statistics and thresholds of the caller's own organization (checked in the lists).
      'GET /api/v1/risk/cases', 'GET /api/v1/risk/blocks', 'GET /api/v1/risk/stats', 'GET /api/v1/risk/thresholds', 'GET /api/v1/risk/assignees',
      // -- disputes own or list --
      // The caller's own disputes (checked in the lists; a foreign merchantId is "not found" above). A new dispute is matched only
      // to the caller's own organization's payments (disputes.test.ts); reason codes are data.
      'GET /api/v1/disputes', 'POST /api/v1/disputes', 'GET /api/v1/disputes/reason-codes',
      // A file of disputes is opened like POST /disputes (disputes-import.test.ts: another organization's payment is never matched); the template
      // is data; the payment search and the report read the caller's own organization (checked in the lists; a foreign merchantId is "not found" above).
      'POST /api/v1/disputes/import', 'GET /api/v1/disputes/import-template', 'GET /api/v1/disputes/payment-search', 'GET /api/v1/disputes/report',
      'GET /api/v1/disputes/report/export',
      // -- remote management own or list --
      // The caller's own bulk commands (checked in the lists); one log bundle of B is in the matrix (two ids: the matrix names both :id).
      'GET /api/v1/command-batches', 'GET /api/v1/terminals/:id/logs/:logId',
      // -- software catalogue own or list --
      // The caller's own organization's catalogue, keys and matrix (checked in the lists); an upload is verified only with the caller's own keys (software.test.ts).
      'GET /api/v1/software/packages', 'GET /api/v1/signing-keys', 'GET /api/v1/software/matrix', 'POST /api/v1/signing-keys', 'POST /api/v1/software/packages',
      // The caller's own rollouts (checked in the lists).
      'GET /api/v1/rollouts',
      // A short link names another tenant's page only inside a signed token: channels.test.ts opens B's as A (not found).
      'GET /api/v1/short-links/:token',
    ]);
    const missing = t.app.apiRoutes.map((r) => `${r.method} ${r.url}`).filter((k) => !covered.has(k) && !OWN_OR_LIST.has(k));
    expect(missing).toEqual([]);
  });

  it('an API token of another user cannot revoke or see my tokens', async () => {
    const mine = await t.app.inject({ method: 'POST', url: '/api/v1/me/tokens', headers: { cookie: cookieA }, payload: { name: 'ci' } });
    const cookieB = await t.login(B.admin.email);
    const res = await t.app.inject({ method: 'DELETE', url: `/api/v1/me/tokens/${mine.json().id}`, headers: { cookie: cookieB } });
    expect(res.statusCode).toBe(404);
    const list = await t.app.inject({ url: '/api/v1/me/tokens', headers: { cookie: cookieB } });
    expect(list.body).not.toContain(mine.json().id);
  });
});
