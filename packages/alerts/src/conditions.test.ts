/** The rule kinds, one by one, with an injected clock (T0 and minutes after it). */
import { describe, expect, it } from 'vitest';
import { HOUR, MIN, T0, buildRule, buildTerminal, everyMinute, payment, sample, testEngine } from './testing/factories.js';

describe('threshold', () => {
  const jam = buildRule({ code: 'printer.jam', condition: { kind: 'threshold', metric: 'printer.jam', op: '==', value: 1, forMinutes: 5 } });

  it('a threshold held for less than forMinutes does not fire', () => {
    const t = testEngine([jam]);
    everyMinute(t, ['t1'], T0, T0 + 5 * MIN, () => sample({ metrics: { 'printer.jam': 1 } }));
    t.engine.observeTelemetry('t1', T0 + 5 * MIN, sample({ metrics: { 'printer.jam': 0 } }));
    expect(t.fired()).toHaveLength(0);
  });

  it('a threshold held for forMinutes fires once, at the sample that completes it, with the value', () => {
    const t = testEngine([jam]);
    everyMinute(t, ['t1'], T0, T0 + 30 * MIN, () => sample({ metrics: { 'printer.jam': 1 } }));
    const fired = t.fired('printer.jam');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.at).toBe(T0 + 5 * MIN);
    expect(fired[0]!.alert.value).toBe(1);
    expect(fired[0]!.alert.terminalId).toBe('t1');
  });

  it('a sample without the metric neither fires nor clears the condition', () => {
    const t = testEngine([jam]);
    everyMinute(t, ['t1'], T0, T0 + 10 * MIN, (at) => (at < T0 + 3 * MIN ? sample({ metrics: { 'printer.jam': 1 } }) : sample({ metrics: { tempC: 30 } })));
    // The jam is still unrefuted: the next sample that says so completes the five minutes.
    t.engine.observeTelemetry('t1', T0 + 10 * MIN, sample({ metrics: { 'printer.jam': 1 } }));
    expect(t.fired()).toHaveLength(1);
  });

  it('sumMinutes judges a counter over a window: 12 crashes within 30 minutes fire, 12 spread over 2 hours do not', () => {
    const loop = buildRule({ code: 'app.crash_loop', condition: { kind: 'threshold', metric: 'app.crashes', op: '>=', value: 12, sumMinutes: 30 } });
    const fast = testEngine([loop]);
    // One every 3 minutes: 10 within any 30 minutes.
    everyMinute(fast, ['t1'], T0, T0 + 30 * MIN, (at) => sample({ metrics: { 'app.crashes': (at - T0) % (3 * MIN) === 0 ? 1 : 0 } }));
    expect(fast.fired()).toHaveLength(0);
    everyMinute(fast, ['t1'], T0 + 30 * MIN, T0 + 40 * MIN, () => sample({ metrics: { 'app.crashes': 1 } }));
    expect(fast.fired()).toHaveLength(1);
    expect(fast.fired()[0]!.alert.value).toBeGreaterThanOrEqual(12);

    const slow = testEngine([loop]);
    everyMinute(slow, ['t1'], T0, T0 + 2 * HOUR, (at) => sample({ metrics: { 'app.crashes': (at - T0) % (10 * MIN) === 0 ? 1 : 0 } }));
    expect(slow.fired()).toHaveLength(0);
  });
});

describe('ratio over the last attempts', () => {
  const chip = buildRule({ code: 'reader.chip.failing', condition: { kind: 'ratio', source: 'reader.chip', attempts: 30, minAttempts: 10, op: '>', value: 0.2 } });

  it('chip failure ratio is judged over the last 30 attempts, not the last sample', () => {
    const t = testEngine([chip]);
    for (let i = 0; i < 10; i++) t.engine.observeTelemetry('t1', T0 + i * MIN, sample({ chip: [3, 0] }));
    // One sample of three failed reads out of three: 100 % in that sample, 10 % of the last 30 attempts.
    t.engine.observeTelemetry('t1', T0 + 10 * MIN, sample({ chip: [3, 3] }));
    expect(t.fired()).toHaveLength(0);
    t.engine.observeTelemetry('t1', T0 + 11 * MIN, sample({ chip: [3, 3] }));
    expect(t.fired()).toHaveLength(0); // 6 / 30 = 0.2, not above it
    t.engine.observeTelemetry('t1', T0 + 12 * MIN, sample({ chip: [3, 3] }));
    const fired = t.fired();
    expect(fired).toHaveLength(1);
    expect(fired[0]!.alert.value).toBeCloseTo(0.3);
  });

  it('says nothing until minAttempts attempts were seen', () => {
    const t = testEngine([chip]);
    for (let i = 0; i < 4; i++) t.engine.observeTelemetry('t1', T0 + i * MIN, sample({ chip: [2, 2] }));
    expect(t.fired()).toHaveLength(0);
    t.engine.observeTelemetry('t1', T0 + 5 * MIN, sample({ chip: [2, 2] }));
    expect(t.fired()).toHaveLength(1);
  });

  it('a reader used a few times an hour is still judged over its last attempts (samples without attempts do not push them out)', () => {
    const swipe = buildRule({ code: 'reader.magstripe.failing', condition: { kind: 'ratio', source: 'reader.magstripe', attempts: 30, minAttempts: 10, value: 0.3 } });
    const t = testEngine([swipe]);
    // A sample every minute for twelve hours; one swipe an hour, every other one failing.
    for (let m = 0; m < 12 * 60; m++) {
      const swiped = m % 60 === 0;
      t.engine.observeTelemetry('t1', T0 + m * MIN, sample({ magstripe: swiped ? [1, (m / 60) % 2] : [0, 0] }));
    }
    const fired = t.fired();
    expect(fired).toHaveLength(1);
    expect(fired[0]!.at).toBe(T0 + 9 * HOUR); // the tenth swipe
  });

  it('payments: the share of the last N payments that failed at the host', () => {
    const rule = buildRule({ code: 'txn.host_errors', condition: { kind: 'ratio', source: 'txn.host_error', attempts: 20, minAttempts: 8, value: 0.5 } });
    const t = testEngine([rule]);
    for (let i = 0; i < 12; i++) t.engine.observeTxn('t1', T0 + i * MIN, payment());
    for (let i = 12; i < 22; i++) t.engine.observeTxn('t1', T0 + i * MIN, payment({ approved: false, hostError: true, outcome: 'timeout', responseCode: null }));
    expect(t.fired()).toHaveLength(0); // 10 of the last 20
    t.engine.observeTxn('t1', T0 + 22 * MIN, payment({ approved: false, hostError: true, outcome: 'timeout', responseCode: null }));
    expect(t.fired()).toHaveLength(1);
  });
});

describe('absence of messages', () => {
  const offline = buildRule({ code: 'terminal.offline', condition: { kind: 'absence', minutes: 10 }, resolveAfterMinutes: 0 });

  it('a terminal silent for `minutes` is offline; its next message clears the alert', () => {
    const t = testEngine([offline]);
    t.engine.observeSeen('t1', T0);
    t.tick(T0 + 9 * MIN);
    expect(t.fired()).toHaveLength(0);
    t.tick(T0 + 10 * MIN);
    expect(t.fired()).toHaveLength(1);
    t.engine.observeSeen('t1', T0 + 25 * MIN);
    expect(t.tick(T0 + 26 * MIN).map((c) => c.type)).toContain('resolved');
  });

  it('a terminal the engine never heard from is not reported offline', () => {
    const t = testEngine([offline]);
    t.tick(T0 + 2 * HOUR);
    expect(t.fired()).toHaveLength(0);
  });
});

describe('trade absence in usual trading hours', () => {
  const silent = buildRule({ code: 'trade.silent', condition: { kind: 'trade_absence', minutes: 60, minPerHour: 12, minWeeks: 2 } });
  const WEEK = 7 * 24 * HOUR;
  /** Seeds `weeks` past weeks with 20 approved payments an hour from 08:00 to 13:00 local on the day of T0. */
  const seed = (engine: ReturnType<typeof testEngine>['engine'], weeks: number) => {
    for (let w = 1; w <= weeks; w++) for (let h = -2; h <= 3; h++) engine.seedTrading('t1', T0 - w * WEEK + h * HOUR, 20);
  };
  /** Online (a sample a minute) from 08:00; paying until `lastPayment`. */
  const trade = (t: ReturnType<typeof testEngine>, lastPayment: number, until: number, away?: [number, number]) =>
    everyMinute(t, ['t1'], T0 - 2 * HOUR, until, (at) => {
      if (away && at >= away[0] && at < away[1]) return null;
      if (at <= lastPayment && (at - T0) % (3 * MIN) === 0) t.engine.observeTxn('t1', at, payment());
      return sample({ metrics: { 'network.connected': 1 } });
    });

  it('trade absence fires only in an hour of the week the terminal traded in at least minWeeks past weeks', () => {
    const learned = testEngine([silent]);
    seed(learned.engine, 2);
    trade(learned, T0, T0 + 90 * MIN);
    const fired = learned.fired();
    expect(fired).toHaveLength(1);
    expect(fired[0]!.at).toBeGreaterThanOrEqual(T0 + 60 * MIN);
    expect(fired[0]!.at).toBeLessThan(T0 + 62 * MIN);

    const once = testEngine([silent]);
    seed(once.engine, 1);
    trade(once, T0, T0 + 90 * MIN);
    expect(once.fired()).toHaveLength(0);
  });

  it('is quiet outside the learned hours', () => {
    const t = testEngine([silent]);
    seed(t.engine, 2);
    // Silent from 13:00, when past weeks had nothing.
    everyMinute(t, ['t1'], T0 + 3 * HOUR, T0 + 6 * HOUR, () => sample({ metrics: { 'network.connected': 1 } }));
    expect(t.fired()).toHaveLength(0);
  });

  it('does not count the time the terminal was offline', () => {
    const t = testEngine([silent]);
    seed(t.engine, 2);
    // Away from 10:00 to 10:30: nothing could be sold, so the hour of silence starts when it is back.
    trade(t, T0 - 3 * MIN, T0 + 2 * HOUR, [T0, T0 + 30 * MIN]);
    const fired = t.fired();
    expect(fired).toHaveLength(1);
    expect(fired[0]!.at).toBeGreaterThanOrEqual(T0 + 90 * MIN);
  });

  it('a sample saying the link is down counts as offline (a backlog sent later is not a quiet till)', () => {
    const t = testEngine([silent]);
    seed(t.engine, 2);
    everyMinute(t, ['t1'], T0 - 2 * HOUR, T0 + 80 * MIN, (at) => {
      if (at < T0 && (at - T0) % (3 * MIN) === 0) t.engine.observeTxn('t1', at, payment());
      return sample({ metrics: { 'network.connected': at < T0 + 40 * MIN ? 0 : 1 } });
    });
    expect(t.fired()).toHaveLength(0);
  });
});

describe('trend with a forecast', () => {
  it('trend forecast reports the predicted crossing time', () => {
    const flat = buildRule({
      code: 'battery.flat_forecast',
      condition: { kind: 'trend', metric: 'battery.pct', direction: 'falling', threshold: 10, windowMinutes: 60, horizonMinutes: 120, minPoints: 6, when: { metric: 'power.onBattery', value: 1 } },
    });
    const t = testEngine([flat]);
    // 80 % falling 0.5 % a minute: reaches 10 % at T0 + 140 min.
    everyMinute(t, ['t1'], T0, T0 + 40 * MIN, (at) => sample({ metrics: { 'battery.pct': 80 - ((at - T0) / MIN) * 0.5, 'power.onBattery': 1 } }));
    const fired = t.fired();
    expect(fired).toHaveLength(1);
    // Within the 120 min horizon from 20 min on (once 15 min of points were seen).
    expect(fired[0]!.at).toBe(T0 + 20 * MIN);
    expect(Math.abs(fired[0]!.alert.predictedAt! - (T0 + 140 * MIN))).toBeLessThanOrEqual(MIN);
    // The alert keeps the line's current value (80 − 0.5 × 39 at the last sample).
    expect(fired[0]!.alert.value).toBeCloseTo(60.5, 0);
  });

  it('a line heading away from the threshold, or samples outside `when`, do not fire', () => {
    const flat = buildRule({ condition: { kind: 'trend', metric: 'battery.pct', direction: 'falling', threshold: 10, windowMinutes: 60, horizonMinutes: 120, minPoints: 6, when: { metric: 'power.onBattery', value: 1 } } });
    const charging = testEngine([flat]);
    everyMinute(charging, ['t1'], T0, T0 + 60 * MIN, (at) => sample({ metrics: { 'battery.pct': 20 + (at - T0) / MIN / 2, 'power.onBattery': 1 } }));
    expect(charging.fired()).toHaveLength(0);
    const onMains = testEngine([flat]);
    everyMinute(onMains, ['t1'], T0, T0 + 60 * MIN, (at) => sample({ metrics: { 'battery.pct': 80 - (at - T0) / MIN, 'power.onBattery': 0 } }));
    expect(onMains.fired()).toHaveLength(0);
  });

  it('armAt: a forecast counts only once the line has passed that level', () => {
    const rising = buildRule({ condition: { kind: 'trend', metric: 'tempC', direction: 'rising', threshold: 60, windowMinutes: 60, horizonMinutes: 600, minPoints: 6, armAt: 45 } });
    const t = testEngine([rising]);
    // 30 °C rising 0.25 °C a minute: crosses 60 at +120 min, within the horizon at once, armed at 45 (+60 min).
    everyMinute(t, ['t1'], T0, T0 + 90 * MIN, (at) => sample({ metrics: { tempC: 30 + ((at - T0) / MIN) * 0.25 } }));
    const fired = t.fired();
    expect(fired).toHaveLength(1);
    expect(fired[0]!.at).toBe(T0 + 60 * MIN);
  });

  it('the paper forecast counts receipts since paper low and predicts when the roll runs out', () => {
    const paper = buildRule({
      code: 'printer.paper_forecast',
      condition: { kind: 'trend', metric: 'paper.receiptsLeft', direction: 'falling', threshold: 0, windowMinutes: 120, horizonMinutes: 240, minPoints: 4, minSpanMinutes: 25, receiptsAtLow: 20 },
    });
    const t = testEngine([paper]);
    // Paper low at T0, a payment every 3 minutes: 20 receipts last until T0 + 60 min.
    everyMinute(t, ['t1'], T0, T0 + 40 * MIN, (at) => {
      if ((at - T0) % (3 * MIN) === 0 && at > T0) t.engine.observeTxn('t1', at + 1_000, payment());
      return sample({ metrics: { 'printer.paperLow': 1, 'printer.paperOut': 0 } });
    });
    const fired = t.fired();
    expect(fired).toHaveLength(1);
    expect(fired[0]!.at).toBeGreaterThanOrEqual(T0 + 25 * MIN);
    expect(Math.abs(fired[0]!.alert.predictedAt! - (T0 + 60 * MIN))).toBeLessThanOrEqual(4 * MIN);
    // A new roll clears it.
    t.engine.observeTelemetry('t1', T0 + 45 * MIN, sample({ metrics: { 'printer.paperLow': 0, 'printer.paperOut': 0 } }));
    expect(t.tick(T0 + 50 * MIN).map((c) => c.type)).toContain('resolved');
  });

  it('too few points to draw a line leaves an open forecast alert as it is (neither cleared nor re-fired)', () => {
    const wear = buildRule({ code: 'battery.wear_forecast', resolveAfterMinutes: 0, condition: { kind: 'trend', metric: 'battery.healthPct', direction: 'falling', threshold: 60, windowMinutes: 60, horizonMinutes: 600, minPoints: 6 } });
    const t = testEngine([wear]);
    everyMinute(t, ['t1'], T0, T0 + 30 * MIN, (at) => sample({ metrics: { 'battery.healthPct': 80 - (at - T0) / MIN / 2 } }));
    expect(t.fired()).toHaveLength(1);
    // A gap longer than the window: the next sample alone says nothing.
    t.engine.observeTelemetry('t1', T0 + 3 * HOUR, sample({ metrics: { 'battery.healthPct': 62 } }));
    t.tick(T0 + 3 * HOUR + MIN);
    expect(t.engine.openAlerts()).toHaveLength(1);
  });
});

describe('fleet: a version against its predecessor', () => {
  const regression = buildRule({
    code: 'version.regression',
    groupBy: 'version',
    condition: { kind: 'fleet_version', metric: 'app.crashes', windowMinutes: 60, minTerminals: 5, factor: 3, minRate: 0.5, minAffected: 3 },
  });
  const fleet = ['3.8.2', '3.9.0', '3.9.1'].flatMap((v, i) => Array.from({ length: 6 }, (_, k) => buildTerminal(i * 10 + k, { appVersion: v })));
  /** Crashes per terminal per hour by version. */
  const run = (perHour: Record<string, number>, onlyOne = false) => {
    const t = testEngine([regression], fleet);
    everyMinute(t, fleet.map((x) => x.id), T0, T0 + 60 * MIN, (at, id) => {
      const v = fleet.find((x) => x.id === id)!.appVersion!;
      const every = perHour[v] ? Math.round(60 / perHour[v]!) : 0;
      const crashes = every && (at - T0) / MIN % every === 0 && (!onlyOne || id.endsWith('0')) ? (onlyOne ? 6 : 1) : 0;
      return sample({ metrics: { 'app.crashes': crashes } });
    });
    return t.fired('version.regression');
  };

  it('version regression compares with the predecessor version', () => {
    const fired = run({ '3.9.1': 6 });
    expect(fired.map((c) => c.alert.scopeKey)).toEqual(['3.9.1']);
    expect(fired[0]!.alert.groupBy).toBe('version');
    expect(fired[0]!.alert.members.size).toBe(6);
  });

  it('a release as bad as the one before it is not a regression (the one before is)', () => {
    expect(run({ '3.9.0': 6, '3.9.1': 6 }).map((c) => c.alert.scopeKey)).toEqual(['3.9.0']);
  });

  it('one crash-looping terminal does not flag its version (minAffected)', () => {
    expect(run({ '3.9.1': 6 }, true)).toHaveLength(0);
  });
});

describe('site and host outages', () => {
  const siteOffline = buildRule({ code: 'site.offline', severity: 'critical', groupBy: 'site', condition: { kind: 'site_offline', minutes: 5, minTerminals: 2, share: 0.5 } });

  it('a site outage of N terminals is one alert listing N members', () => {
    const terms = [...Array.from({ length: 5 }, (_, i) => buildTerminal(i)), buildTerminal(9, { siteId: 'site-b' })];
    const t = testEngine([siteOffline], terms);
    everyMinute(t, terms.map((x) => x.id), T0, T0 + 20 * MIN, (at, id) => (at < T0 + 10 * MIN || id === 't9' ? sample() : null));
    const fired = t.fired('site.offline');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.alert.scopeKey).toBe('site-a');
    expect([...fired[0]!.alert.members.keys()].sort()).toEqual(['t0', 't1', 't2', 't3', 't4']);
  });

  describe('terminals going silent together', () => {
    const together = buildRule({
      code: 'site.offline',
      severity: 'critical',
      groupBy: 'site',
      condition: { kind: 'site_offline', minutes: 5, minTerminals: 2, share: 0.5, together: { withinMinutes: 10, minTerminals: 3, smallSite: { upTo: 5, minTerminals: 2 } } },
    });
    /** A site of `size` terminals; terminal i stops at `stops[i]` minutes (if given). */
    const run = (size: number, stops: (number | undefined)[], rule = together) => {
      const terms = Array.from({ length: size }, (_, i) => buildTerminal(i));
      const t = testEngine([rule], terms);
      everyMinute(t, terms.map((x) => x.id), T0, T0 + 300 * MIN, (at, id) => {
        const stop = stops[Number(id.slice(1))];
        return stop === undefined || at < T0 + stop * MIN ? sample() : null;
      });
      return t.fired('site.offline');
    };

    it('nine of 24 terminals going quiet within minutes of each other are one site alert listing the nine', () => {
      const fired = run(24, [60, 61, 61, 62, 63, 63, 64, 66, 67]);
      expect(fired).toHaveLength(1);
      expect(fired[0]!.alert.members.size).toBe(9);
      // Five minutes after the third went quiet, not after half the site did (it never does).
      expect(fired[0]!.at).toBeLessThanOrEqual(T0 + 67 * MIN);
    });

    it('three of a large site are enough; two are not', () => {
      expect(run(24, [100, 104, 108])).toHaveLength(1);
      expect(run(24, [100, 104])).toHaveLength(0);
    });

    it('on a small site two going quiet together are enough', () => {
      expect(run(5, [100, 103])).toHaveLength(1);
    });

    it('terminals that went quiet hours apart did not share a cause', () => {
      expect(run(24, [20, 120, 220])).toHaveLength(0);
    });

    it('without `together` the rule keeps to its share', () => {
      const shareOnly = buildRule({ code: 'site.offline', severity: 'critical', groupBy: 'site', condition: { kind: 'site_offline', minutes: 5, minTerminals: 2, share: 0.5 } });
      expect(run(24, [60, 61, 61, 62, 63, 63, 64, 66, 67], shareOnly)).toHaveLength(0);
    });
  });

  it('acquirer host: payment errors at three sites of one host are one host alert; at two sites, none', () => {
    const hostOutage = buildRule({ code: 'host.outage', groupBy: 'host', condition: { kind: 'host_outage', windowMinutes: 10, minSites: 3, minPayments: 20, value: 0.3 } });
    const terms = ['a', 'b', 'c', 'd'].map((s, i) => buildTerminal(i, { siteId: `site-${s}`, host: s === 'd' ? 'acq-north' : 'cup-east' }));
    const run = (failing: string[]) => {
      const t = testEngine([hostOutage], terms);
      for (let m = 0; m < 10; m++) {
        for (const term of terms) {
          const fails = failing.includes(term.siteId!);
          t.engine.observeTxn(term.id, T0 + m * MIN, fails ? payment({ approved: false, hostError: true, outcome: 'declined', responseCode: '91' }) : payment());
        }
        t.tick(T0 + (m + 1) * MIN - 1);
      }
      return t.fired('host.outage');
    };
    const three = run(['site-a', 'site-b', 'site-c']);
    expect(three).toHaveLength(1);
    expect(three[0]!.alert.scopeKey).toBe('cup-east');
    expect(three[0]!.alert.members.size).toBe(3);
    expect(run(['site-a', 'site-b'])).toHaveLength(0);
  });

  it('acquirer host at night: seen from terminals at several sites reporting the host unreachable, without payments', () => {
    const hostOutage = buildRule({ code: 'host.outage', groupBy: 'host', condition: { kind: 'host_outage', unreachableSites: 3 } });
    const terms = ['a', 'b', 'c'].flatMap((s, i) => [buildTerminal(i * 2, { siteId: `site-${s}` }), buildTerminal(i * 2 + 1, { siteId: `site-${s}` })]);
    const t = testEngine([hostOutage], terms);
    everyMinute(t, terms.map((x) => x.id), T0, T0 + 10 * MIN, (at) => sample({ metrics: { 'network.connected': 1, 'network.hostReachable': at < T0 + 3 * MIN ? 1 : 0 } }));
    const fired = t.fired('host.outage');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.at).toBeLessThanOrEqual(T0 + 6 * MIN);
    expect(fired[0]!.alert.members.size).toBe(6);
  });
});

describe('one card failing across terminals', () => {
  const expired = buildRule({ code: 'card.expired', groupBy: 'card', condition: { kind: 'card_failures', responseCodes: ['54'], count: 3, minutes: 240, minTerminals: 2 } });
  const declined = (token: string) => payment({ approved: false, outcome: 'declined', responseCode: '54', cardToken: token });

  it('card_failures groups one card across terminals', () => {
    const t = testEngine([expired], [buildTerminal(1), buildTerminal(2, { siteId: 'site-b' })]);
    t.engine.observeTxn('t1', T0, declined('tok_a'));
    t.engine.observeTxn('t1', T0 + MIN, declined('tok_a'));
    t.engine.observeTxn('t2', T0 + 50 * MIN, declined('tok_b'));
    expect(t.fired()).toHaveLength(0);
    t.engine.observeTxn('t2', T0 + 80 * MIN, declined('tok_a'));
    const fired = t.fired();
    expect(fired).toHaveLength(1);
    expect(fired[0]!.alert.groupBy).toBe('card');
    expect(fired[0]!.alert.scopeKey).toBe('tok_a');
    expect([...fired[0]!.alert.members.keys()]).toEqual(['t1', 't2']);
    expect(fired[0]!.alert.value).toBe(3);
    // Out of the window, it resolves.
    t.tick(T0 + 80 * MIN + 241 * MIN);
    t.tick(T0 + 80 * MIN + 5 * HOUR + 61 * MIN);
    expect(t.changes.filter((c) => c.type === 'resolved')).toHaveLength(1);
  });

  it('the same card failing at one terminal only is not a card alert (minTerminals)', () => {
    const t = testEngine([expired]);
    for (let i = 0; i < 4; i++) t.engine.observeTxn('t1', T0 + i * MIN, declined('tok_a'));
    expect(t.fired()).toHaveLength(0);
  });

  it('fallback counts chip cards that had to be swiped (failed chip reads carry no card token)', () => {
    const unreadable = buildRule({ code: 'card.unreadable', groupBy: 'card', condition: { kind: 'card_failures', fallback: true, count: 2, minutes: 240, minTerminals: 2 } });
    const t = testEngine([unreadable], [buildTerminal(1), buildTerminal(2)]);
    t.engine.observeTxn('t1', T0, payment({ fallback: true, cardToken: 'tok_c' }));
    t.engine.observeTxn('t2', T0 + 40 * MIN, payment({ fallback: true, cardToken: 'tok_c' }));
    expect(t.fired()).toHaveLength(1);
  });
});
