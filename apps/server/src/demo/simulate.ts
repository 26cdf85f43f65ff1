/**
 * `poscare simulate`: a simulated fleet against a running PosCare, through its public API only — the
 * way a real rollout goes. With an admin API token it registers the fleet's merchants, sites and
 * terminals (import), creates an enrollment code, enrolls every terminal, then drives them over HTTPS
 * or MQTT with the chosen faults, printing progress.
 */
import { createFleet, FAULT_IDS, isFaultId, runFleet, type FaultInjection, type RunProgress, type TerminalCredential } from '@poscare/simulator';

export interface SimulateOptions {
  url: string;
  token: string;
  terminals: number;
  merchants: number;
  seed: number;
  transport: 'https' | 'mqtt';
  mqttUrl?: string | undefined;
  speed: number;
  durationMs: number;
  faults: string[];
  say: (line: string) => void;
}

async function api<T>(o: SimulateOptions, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(new URL(path, o.url), {
    method,
    headers: { authorization: `Bearer ${o.token}`, 'accept-language': 'en-US', ...(body && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body instanceof FormData ? body : body ? JSON.stringify(body) : null,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

export async function simulate(o: SimulateOptions): Promise<RunProgress> {
  const unknown = o.faults.filter((f) => !isFaultId(f));
  if (unknown.length) throw new Error(`unknown fault(s): ${unknown.join(', ')}; known: ${FAULT_IDS.join(', ')}`);
  const now = new Date();
  const fleet = createFleet({ seed: o.seed, terminals: o.terminals, merchants: o.merchants, sitesPerMerchant: [1, 4], startAt: now });

  o.say(`registering ${fleet.merchants.length} merchants, ${fleet.sites.length} sites, ${fleet.terminals.length} terminals…`);
  const merchantIds = new Map<string, string>();
  for (const m of fleet.merchants) {
    const existing = await api<{ items: { id: string; mid: string }[] }>(o, 'GET', `/api/v1/merchants?q=${encodeURIComponent(m.mid)}`);
    const found = existing.items.find((x) => x.mid === m.mid);
    merchantIds.set(m.id, found?.id ?? (await api<{ id: string }>(o, 'POST', '/api/v1/merchants', { mid: m.mid, name: m.name, tier: m.tier, language: m.language })).id);
  }
  for (const s of fleet.sites) {
    const existing = await api<{ items: { code: string }[] }>(o, 'GET', `/api/v1/sites?q=${encodeURIComponent(s.code)}`);
    if (!existing.items.some((x) => x.code === s.code)) {
      await api(o, 'POST', '/api/v1/sites', { merchantId: merchantIds.get(s.merchantId), code: s.code, name: s.name, address: s.city, region: s.region });
    }
  }
  const siteCode = new Map(fleet.sites.map((s) => [s.id, s.code]));
  const csv = ['serial_number,tid,vendor,model,os_version,app_version,firmware_version,connectivity,site_code,lifecycle_state']
    .concat(fleet.terminals.map((t) => [t.serialNumber, t.tid, t.vendor, t.model, t.osVersion, t.appVersion, t.firmwareVersion, t.connectivity, siteCode.get(t.siteId), 'active'].map((v) => `"${String(v).replace(/"/g, '""')}"`).join(',')))
    .join('\n');
  const form = new FormData();
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'simulated-fleet.csv');
  // Terminals from an earlier run with the same seed already exist; those rows are reported and skipped.
  const report = await api<{ imported: number; invalidRows: number }>(o, 'POST', '/api/v1/terminal-imports?mode=valid_only', form);
  o.say(`imported ${report.imported} terminals (${report.invalidRows} already there)`);

  const code = await api<{ code: string }>(o, 'POST', '/api/v1/enrollment-codes', { label: `simulator seed ${o.seed}`, maxUses: fleet.terminals.length, expiresInHours: 1 });
  const credentials = new Map<string, TerminalCredential>();
  for (const t of fleet.terminals) {
    const r = await fetch(new URL('/device/v1/enroll', o.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: code.code, serialNumber: t.serialNumber }) });
    if (!r.ok) throw new Error(`enrolling ${t.serialNumber}: ${r.status} ${await r.text()}`);
    const e = (await r.json()) as { terminalId: string; orgId: string; secret: string };
    credentials.set(t.id, { orgId: e.orgId, secret: e.secret, terminalId: e.terminalId });
  }
  o.say(`enrolled ${credentials.size} terminals; running ${o.durationMs / 1000}s at ${o.speed}× over ${o.transport}`);

  const faults: FaultInjection[] = o.faults.map((fault, i) => ({
    fault: fault as FaultInjection['fault'],
    scope: { kind: 'terminal', terminalId: fleet.terminals[i % fleet.terminals.length]!.id },
    startAt: now,
  }));
  return runFleet({
    fleet,
    transport: o.transport,
    url: o.transport === 'mqtt' ? (o.mqttUrl ?? 'mqtt://127.0.0.1:1883') : o.url,
    credentials,
    speed: o.speed,
    durationMs: o.durationMs,
    faults,
    onProgress: (p) =>
      o.say(
        `  ${p.simulatedTime.toISOString().slice(0, 16)} sim · sent ${p.sent} · ${Math.round(p.ratePerSecond)}/s · queued ${p.queued} · rejected ${p.rejected} · errors ${p.errors} · connected ${p.connected}/${p.terminals}`,
      ),
  });
}
