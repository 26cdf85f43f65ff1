import { describe, expect, it } from 'vitest';
import { compareVersions, isCompatible, PackageUploadFields } from './software.js';

describe('compareVersions', () => {
  it('compares numbers as numbers, segment by segment', () => {
    expect(compareVersions('PayDroid 7.10', 'PayDroid 7.9')).toBe(1);
    expect(compareVersions('Android 11', 'android 11')).toBe(0);
    expect(compareVersions('3.2', '3.2.1')).toBe(-1);
  });
  it('does not order versions of different lines', () => {
    expect(compareVersions('Android 11', 'PayDroid 7.1')).toBeNull();
    expect(compareVersions('7.1', 'PayDroid 7.1')).toBeNull();
  });
});

describe('isCompatible', () => {
  const pkg = { vendor: 'PAX', models: ['A920', 'A920Pro'], minOsVersion: 'PayDroid 7.0' };
  it('fits a listed model of the same vendor on a new enough OS (case aside)', () => {
    expect(isCompatible(pkg, { vendor: 'pax', model: 'a920', osVersion: 'PayDroid 7.1' })).toEqual({ ok: true });
  });
  it('names why it does not fit: vendor, model, or an OS too old, of another line or never reported', () => {
    expect(isCompatible(pkg, { vendor: 'Newland', model: 'A920', osVersion: 'PayDroid 7.1' })).toEqual({ ok: false, reason: 'vendor' });
    expect(isCompatible(pkg, { vendor: 'PAX', model: 'S920', osVersion: 'PayDroid 7.1' })).toEqual({ ok: false, reason: 'model' });
    expect(isCompatible(pkg, { vendor: 'PAX', model: 'A920', osVersion: 'PayDroid 6.9' })).toEqual({ ok: false, reason: 'os' });
    expect(isCompatible(pkg, { vendor: 'PAX', model: 'A920', osVersion: 'Android 11' })).toEqual({ ok: false, reason: 'os' });
    expect(isCompatible(pkg, { vendor: 'PAX', model: 'A920', osVersion: null })).toEqual({ ok: false, reason: 'os' });
    expect(isCompatible({ ...pkg, minOsVersion: null }, { vendor: 'PAX', model: 'A920', osVersion: null })).toEqual({ ok: true });
  });
});

describe('PackageUploadFields', () => {
  it('reads the models as a comma list (Chinese comma too) and the hash in lower case', () => {
    const r = PackageUploadFields.parse({ vendor: 'PAX', kind: 'app', version: '1.0.0', signature: `${'A'.repeat(86)}==`, keyId: 'k', models: 'A920，A920Pro, ', sha256: 'AB'.repeat(32) });
    expect(r.models).toEqual(['A920', 'A920Pro']);
    expect(r.sha256).toBe('ab'.repeat(32));
  });
});
