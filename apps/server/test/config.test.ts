import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { MESSAGES, pickLanguage, translate } from '../src/i18n/messages.js';

describe('configuration', () => {
  it('has working defaults: port 8080, data in ./data, embedded database and broker, all roles', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 8080, DATA_DIR: './data', MQTT_PORT: 1883, POSCARE_ROLES: ['api', 'ingest', 'worker'] });
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('names the bad variable and the value it got', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT: PORT must be between 0 and 65535 \(got "70000"\)/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL must start with postgres:\/\//);
    expect(() => loadConfig({ MQTT_URL: 'http://broker' })).toThrow(/MQTT_URL/);
    expect(() => loadConfig({ POSCARE_ROLES: 'api,cook' })).toThrow(/POSCARE_ROLES/);
  });

  it('has import limits: 200,000 rows and 256 MiB unpacked by default, positive numbers only', () => {
    expect(loadConfig({})).toMatchObject({ MAX_UPLOAD_MB: 50, MAX_IMPORT_ROWS: 200_000, MAX_IMPORT_UNPACKED_MB: 256 });
    expect(loadConfig({ MAX_IMPORT_ROWS: '5000', MAX_IMPORT_UNPACKED_MB: '64' })).toMatchObject({ MAX_IMPORT_ROWS: 5000, MAX_IMPORT_UNPACKED_MB: 64 });
    expect(() => loadConfig({ MAX_IMPORT_ROWS: 'lots' })).toThrow(/MAX_IMPORT_ROWS: MAX_IMPORT_ROWS must be a number of rows \(got "lots"\)/);
    expect(() => loadConfig({ MAX_IMPORT_ROWS: '0' })).toThrow(/MAX_IMPORT_ROWS must be at least 1/);
    expect(() => loadConfig({ MAX_IMPORT_UNPACKED_MB: '-1' })).toThrow(/MAX_IMPORT_UNPACKED_MB/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).PORT).toBe(8080);
  });
});

describe('messages', () => {
  it('exist in both zh-CN and en-US for every id, and none is empty', () => {
    expect(Object.keys(MESSAGES['zh-CN']).sort()).toEqual(Object.keys(MESSAGES['en-US']).sort());
    for (const lang of ['zh-CN', 'en-US'] as const) for (const v of Object.values(MESSAGES[lang])) expect(v.trim()).not.toBe('');
  });

  it('use the same placeholders in both languages', () => {
    for (const id of Object.keys(MESSAGES['en-US']) as (keyof (typeof MESSAGES)['en-US'])[]) {
      const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(ph(MESSAGES['zh-CN'][id]), id).toEqual(ph(MESSAGES['en-US'][id]));
    }
  });

  it('pick the language from Accept-Language, Chinese by default', () => {
    expect(pickLanguage(undefined)).toBe('zh-CN');
    expect(pickLanguage('en-GB,en;q=0.9')).toBe('en-US');
    expect(pickLanguage('zh-TW')).toBe('zh-CN');
    expect(pickLanguage('fr-FR')).toBe('zh-CN');
  });

  it('translate names of things but show typed values as typed', () => {
    expect(translate('zh-CN', 'not_found', { entity: 'terminal' })).toBe('未找到该终端。');
    expect(translate('zh-CN', 'row.unknown_site', { value: 'terminal' })).toBe('本机构没有编码为"terminal"的网点。');
  });
});
