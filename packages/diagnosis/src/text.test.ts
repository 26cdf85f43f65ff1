import { describe, expect, it } from 'vitest';
import { analyseText, segment } from './text.js';

const concepts = (s: string) => [...analyseText(s).keys()].sort();

describe('what people say', () => {
  it('挥卡没反应 and "tap doesn\'t work" point at the same evidence', () => {
    expect(concepts('挥卡没反应')).toContain('tap');
    expect(concepts("tap doesn't work")).toContain('tap');
    expect(concepts('顾客手机碰一碰付不了')).toContain('tap');
  });

  it('hears what works as well as what fails', () => {
    const c = analyseText('顾客挥卡一直没反应，插卡可以正常付款');
    expect(c.get('tap')).toBe(1);
    expect(c.get('chip_ok')).toBe(1);
    expect(c.has('chip')).toBe(false);
    const e = analyseText('Payment goes through but no receipt is printed');
    expect(e.get('receipt')).toBe(1);
  });

  it('segments Chinese with the domain words kept whole', () => {
    expect(segment('顾客挥卡一直没反应')).toContain('挥卡');
    expect(segment('不出小票')).toContain('小票');
  });

  it('folds full-width letters and punctuation', () => {
    expect(concepts('ＰＯＳ机连不上网，ＷＩＦＩ断了')).toContain('network');
  });

  it('does not read one character out of a longer word', () => {
    // 纸 (paper) inside 纸巾 (tissue) is not about the printer's paper.
    expect(concepts('顾客要纸巾')).not.toContain('paper');
  });
});
