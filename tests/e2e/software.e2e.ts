/**
 * The software catalogue in a real browser, on the demo fleet: the administrator trusts a vendor's
 * public key, uploads a package signed with it and reads the verification result (hash computed by the
 * server); a package whose signature was made over other bytes is refused with the reason in the
 * reader's language; the compatibility matrix shows the demo's models × OS × app versions against it;
 * zh-CN and en-US; 390 px.
 *
 *   npx tsx tests/e2e/software.e2e.ts
 *
 * Screenshots: test-results/e2e-software/.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, assert, AssertionError, CHROMIUM, CHROMIUM_ARGS, consoleWatch, log, noHorizontalOverflow, pick, ROOT, runE2e, screenshotter, signIn, startDemoServer, switchLanguage } from './support.js';

const SHOTS = path.join(ROOT, 'test-results/e2e-software');
const shot = screenshotter(SHOTS);

const vendorKey = generateKeyPairSync('ed25519');
const signHash = (b: Buffer) => sign(null, Buffer.from(createHash('sha256').update(b).digest('hex'), 'utf8'), vendorKey.privateKey).toString('base64');

async function uploadPackage(page: Page, file: string, fields: { version: string; signature: string }) {
  const card = page.getByTestId('software-upload');
  await page.getByTestId('upload-vendor').fill('PAX');
  await page.getByTestId('upload-version').fill(fields.version);
  const models = page.getByTestId('upload-models');
  // (The placeholder says A920 too: look for a chosen tag.)
  const chosen = models.locator('.ant-select-selection-item', { hasText: 'A920' });
  if ((await chosen.count()) === 0) {
    const input = models.locator('input').first();
    await input.click();
    await input.pressSequentially('A920');
    await input.press('Enter');
    await chosen.first().waitFor();
    await input.press('Escape');
  }
  if (!((await page.getByTestId('upload-key').textContent()) ?? '').includes('pax-e2e')) await pick(page, 'upload-key', 'pax-e2e');
  await page.getByTestId('upload-signature').fill(fields.signature);
  await card.locator('input[type=file]').setInputFiles(file);
  await page.getByTestId('upload-submit').click();
  await page.getByTestId('upload-result').waitFor();
}

async function run() {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const demo = await startDemoServer('software');
  const { base } = demo;
  let browser: Browser | undefined;
  let current: Page | undefined;
  const { watch, noConsoleErrors, consoleErrors } = consoleWatch();
  try {
    await demo.healthy();
    // The matrix needs the demo's fleet: wait until the demo has loaded it.
    const deadline = Date.now() + 600_000;
    for (;;) {
      const h = await fetch(`${base}/api/v1/health`).then((r) => (r.ok ? (r.json() as Promise<{ demo?: { ready: boolean } }>) : null)).catch(() => null);
      if (h && h.demo?.ready !== false) break;
      assert(Date.now() < deadline, 'the demo was not ready within ten minutes');
      await new Promise((r) => setTimeout(r, 2_000));
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    ctx.setDefaultTimeout(20_000);
    const page = await ctx.newPage();
    current = page;
    watch(page);
    await signIn(page, base, ADMIN_EMAIL, ADMIN_PASSWORD);

    // Trust the vendor's public key.
    await page.goto(`${base}/software`);
    await page.getByRole('tab', { name: '签名密钥' }).click();
    await page.getByTestId('key-vendor').fill('PAX');
    await page.getByTestId('key-id').fill('pax-e2e');
    await page.getByTestId('key-public').fill(vendorKey.publicKey.export({ format: 'pem', type: 'spki' }).toString());
    await page.getByTestId('key-add').click();
    await page.getByTestId('software-keys').getByText('pax-e2e').waitFor();
    await shot(page, 'keys-zh');

    // Upload a package signed with it: accepted, with the hash the server computed.
    const dir = path.join(tmpdir(), `poscare-e2e-software-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const good = Buffer.concat([Buffer.from('PK\u0003\u0004 demo payment app 3.9.0\n'), Buffer.alloc(64 * 1024, 7)]);
    writeFileSync(path.join(dir, 'payapp-3.9.0.apk'), good);
    await page.getByRole('tab', { name: '软件包' }).click();
    await uploadPackage(page, path.join(dir, 'payapp-3.9.0.apk'), { version: '3.9.0', signature: signHash(good) });
    const accepted = (await page.getByTestId('upload-result').textContent()) ?? '';
    assert(accepted.includes('校验通过'), `the package was accepted: ${accepted}`);
    assert(accepted.includes(createHash('sha256').update(good).digest('hex')), 'the result shows the SHA-256 the server computed');
    await page.getByTestId('software-packages').getByText('3.9.0').waitFor();
    await shot(page, 'upload-accepted-zh');

    // A package changed after it was signed: refused, in Chinese.
    const tampered = Buffer.concat([good, Buffer.from('tampered')]);
    writeFileSync(path.join(dir, 'payapp-3.9.1.apk'), tampered);
    await uploadPackage(page, path.join(dir, 'payapp-3.9.1.apk'), { version: '3.9.1', signature: signHash(good) });
    await page.waitForFunction(() => (document.querySelector('[data-testid="upload-result"]')?.textContent ?? '').includes('拒收'));
    const refused = (await page.getByTestId('upload-result').textContent()) ?? '';
    assert(refused.includes('签名无法用密钥 pax-e2e 验证通过'), `the refusal says why: ${refused}`);
    await shot(page, 'upload-refused-zh');
    // The refusal is the expected 400 of the upload; nothing else may have logged an error.
    for (let i = consoleErrors.length - 1; i >= 0; i--) if (/status of 400/.test(consoleErrors[i]!) && consoleErrors[i]!.includes('/software/packages')) consoleErrors.splice(i, 1);

    // The matrix: the demo's A920s on PayDroid fit (any OS), the other models do not.
    await page.getByRole('tab', { name: '兼容性' }).click();
    const matrix = page.getByTestId('software-matrix');
    await matrix.getByText('3.9.0').first().waitFor();
    const rows = await matrix.locator('tbody tr.ant-table-row').count();
    assert(rows > 1, `the matrix lists the demo's model × OS × app versions (${rows} rows)`);
    const fits = await matrix.locator('[aria-label="适用"]').count();
    const noFit = await matrix.locator('[aria-label="不适用"]').count();
    assert(fits > 0 && noFit > 0, `some rows fit the A920 package and some do not (${fits} ✓, ${noFit} ✗)`);
    await shot(page, 'matrix-zh');

    // English.
    await switchLanguage(page, 'en-US');
    await page.getByRole('tab', { name: 'Compatibility' }).waitFor();
    assert((await page.getByTestId('upload-result').count()) === 0, 'the Chinese refusal is not left under English headings');
    await shot(page, 'matrix-en');
    await page.getByRole('tab', { name: 'Packages' }).click();
    await page.getByTestId('software-packages').getByText('3.9.0').waitFor();
    await shot(page, 'packages-en');

    // Phone width.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/software`);
    await page.getByTestId('software-packages').waitFor();
    await noHorizontalOverflow(page, 'software page at 390 px');
    await shot(page, 'packages-390-en');
    noConsoleErrors('on the software page');
    rmSync(dir, { recursive: true, force: true });
  } catch (e) {
    if (current) await shot(current, 'failure').catch(() => undefined);
    if (!(e instanceof AssertionError)) log(`server output (tail):\n${demo.output().slice(-2000)}`);
    throw e;
  } finally {
    await browser?.close();
    await demo.stop();
  }
}

await runE2e(run);
