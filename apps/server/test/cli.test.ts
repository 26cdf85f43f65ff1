/** The `poscare` command as a user runs it: a real process on a fresh data folder. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKind, TEST_PG_URL } from './harness.js';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../bin/poscare.mjs');
let dir: string;
let env: NodeJS.ProcessEnv;
let dropDb: (() => Promise<void>) | undefined;

async function poscare(...args: string[]) {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env, timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'poscare-cli-'));
  env = { ...process.env, DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn', POSCARE_LANG: 'en-US' };
  if (dbKind === 'postgres') {
    // A database of its own, so the CLI's restore cannot touch other tests' data.
    const pg = (await import('pg')).default;
    const name = `poscare_cli_${Date.now().toString(36)}`;
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    const url = new URL(TEST_PG_URL);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    dropDb = async () => {
      const d = new pg.Client({ connectionString: TEST_PG_URL });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    };
  }
});
afterAll(async () => dropDb?.());

describe('poscare CLI', () => {
  it('--help lists every command', async () => {
    const r = await poscare('--help');
    for (const c of ['start', 'migrate', 'create-admin', 'import-terminals', 'backup', 'restore', 'audit', 'diagnose']) expect(r.stdout).toContain(c);
  });

  it('stops with a clear message on bad configuration', async () => {
    const saved = env;
    env = { ...env, PORT: 'abc' };
    const r = await poscare('migrate');
    env = saved;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('PORT');
    expect(r.stderr).toContain('README');
  });

  it('migrates, creates an admin, imports, backs up and restores', async () => {
    expect((await poscare('migrate')).stdout).toMatch(/applied: 0000_foundation|schema is current/);
    const admin = await poscare('create-admin', '--email', 'ops@example.test', '--name', 'Ops');
    expect(admin.stdout).toContain('created administrator ops@example.test');
    expect(admin.stdout).toMatch(/password \(shown once\): \S{10,}/);
    expect((await poscare('create-admin', '--email', 'ops@example.test')).stderr).toContain('already exists');

    const csv = path.join(dir, 'fleet.csv');
    writeFileSync(csv, 'serial_number,vendor,model\nCLI-0001,PAX,A920\nCLI-0002,,A920\nCLI-0003,Sunmi,P2\n');
    const dry = await poscare('import-terminals', csv, '--dry-run');
    expect(dry.code).toBe(2);
    expect(dry.stdout).toContain('row 3, vendor: This value is required.');
    expect(dry.stdout).toContain('3 rows: 2 valid, 1 invalid; imported 0');
    const all = await poscare('import-terminals', csv);
    expect(all.stderr).toContain('nothing was imported');
    const valid = await poscare('import-terminals', csv, '--valid-only');
    expect(valid.stdout).toContain('imported 2');

    const file = path.join(dir, 'b.gz');
    expect((await poscare('backup', file)).stdout).toMatch(/terminals 2/);
    writeFileSync(path.join(dir, 'extra.csv'), 'serial_number,vendor,model\nCLI-0009,PAX,A920\n');
    await poscare('import-terminals', path.join(dir, 'extra.csv'));
    const restored = await poscare('restore', file, '--yes');
    expect(restored.stdout).toMatch(/terminals 2/);
    expect(restored.stdout).toMatch(/audit chain intact: \d+ organizations, \d+ entries/);
    const again = await poscare('import-terminals', path.join(dir, 'extra.csv'), '--dry-run');
    expect(again.stdout).toContain('1 valid'); // CLI-0009 is gone again

    writeFileSync(path.join(dir, 'junk.gz'), 'not a backup');
    const junk = await poscare('restore', path.join(dir, 'junk.gz'), '--yes');
    expect(junk.code).toBe(1);
    expect(junk.stderr).toContain('This file is not a PosCare backup.');
  }, 300_000); // ten real processes, each opening the database

  it('audit verify: exit 0 for intact chains; exit 1 naming the first changed entry after an edit with SQL', async () => {
    const ok = await poscare('audit', 'verify');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/organization [0-9a-f-]{36}: intact, \d+ entries/);
    expect(ok.stdout).toContain('audit chain intact');

    const { openDatabase } = await import('../src/db/client.js');
    const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR! });
    const [target] = await db.rawTransaction((tx) =>
      tx.query<{ org_id: string; seq: number }>(`UPDATE audit_log SET after = '{"forged": true}' WHERE id = (SELECT min(id) FROM audit_log WHERE seq = 2) RETURNING org_id, seq`),
    );
    await db.close();

    const broken = await poscare('audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`organization ${target!.org_id}: BROKEN — changed at entry 2`);
    expect(broken.stdout).toContain('audit chain BROKEN in 1 of');
    const json = await poscare('audit', 'verify', '--org', target!.org_id, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, chains: [{ orgId: target!.org_id, problem: { kind: 'changed', seq: 2 } }] });
    expect((await poscare('audit', 'verify', '--org', 'nope')).stderr).toContain('--org must be an organization id');
  }, 120_000);

  it('diagnose reads a case from a file or standard input and names the bad field of a bad one', async () => {
    const { CAUSE_FIXTURES } = await import('../../../packages/diagnosis/src/testing/fixtures.js');
    const file = path.join(dir, 'case.json');
    writeFileSync(file, JSON.stringify(CAUSE_FIXTURES.find((f) => f.code === 'sw.keys.missing')!.build('en-US')));
    const ok = await poscare('diagnose', file);
    expect(ok.code, ok.stderr).toBe(0);
    const result = JSON.parse(ok.stdout);
    expect(result.schema).toBe('poscare.diagnosis-result/v1');
    expect(result.causes[0].code).toBe('sw.keys.missing');
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schema: 'poscare.diagnosis-case/v1', id: 'x', now: '2026-11-20T14:00:00+08:00', terminal: {} }));
    const refused = await poscare('diagnose', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('terminal.id');
    expect(refused.stdout).toBe('');
    const notJson = await poscare('diagnose', path.join(dir, 'junk.gz'));
    expect(notJson.code).toBe(1);
  }, 120_000);
});
