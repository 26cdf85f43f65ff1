import { describe, expect, it } from 'vitest';
import zhCN from './zh-CN';
import enUS from './en-US';

type Tree = { [k: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of leaves(v, key)) out.set(kk, vv);
  }
  return out;
}

/** Every key, including the object (branch) keys, so a string in one locale cannot be an object in the other. */
function allKeys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    return typeof v === 'string' ? [`${key}:string`] : [`${key}:object`, ...allKeys(v, key)];
  });
}

const locales = { 'zh-CN': zhCN as Tree, 'en-US': enUS as Tree };

describe('console translations', () => {
  it('zh-CN and en-US have exactly the same keys', () => {
    expect(allKeys(locales['en-US']).sort()).toEqual(allKeys(locales['zh-CN']).sort());
  });

  for (const [name, tree] of Object.entries(locales)) {
    it(`${name} has no empty strings`, () => {
      const empty = [...leaves(tree)].filter(([, v]) => v.trim() === '').map(([k]) => k);
      expect(empty).toEqual([]);
    });
  }

  it('interpolation placeholders match between languages', () => {
    const zh = leaves(locales['zh-CN']);
    const en = leaves(locales['en-US']);
    const vars = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
    const mismatched = [...zh].filter(([k, v]) => JSON.stringify(vars(v)) !== JSON.stringify(vars(en.get(k) ?? '')));
    expect(mismatched.map(([k]) => k)).toEqual([]);
  });
});
