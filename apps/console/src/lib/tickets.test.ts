import { describe, expect, it } from 'vitest';
import {
  alertTicket,
  createdText,
  flowPosition,
  formatRemaining,
  isForward,
  queueQuery,
  slaLook,
  transitionBody,
  transitionForm,
  troubleshooterTicket,
  type Translate,
} from './tickets';

const t: Translate = (key, vars) => `${key}${vars ? JSON.stringify(vars) : ''}`;

describe('ticket flow', () => {
  it('places a ticket on the flow, and a waiting one on the step it left', () => {
    expect(flowPosition('planned', [])).toEqual({ index: 3, paused: false });
    const events = [
      { type: 'status' as const, from: 'new', to: 'triaged', at: '2026-01-01T00:00:00Z' },
      { type: 'status' as const, from: 'triaged', to: 'locating', at: '2026-01-01T01:00:00Z' },
      { type: 'status' as const, from: 'locating', to: 'waiting_merchant', at: '2026-01-01T02:00:00Z' },
    ];
    expect(flowPosition('waiting_merchant', events)).toEqual({ index: 2, paused: true });
    expect(flowPosition('waiting_merchant', [])).toEqual({ index: 0, paused: true });
  });

  it('asks for what each move needs', () => {
    expect(transitionForm('new', 'triaged')).toBe('triage');
    expect(transitionForm('locating', 'planned')).toBe('plan');
    expect(transitionForm('in_progress', 'planned')).toBe('reason');
    expect(transitionForm('locating', 'waiting_merchant')).toBe('reason');
    expect(transitionForm('resolved', 'in_progress')).toBe('reason');
    expect(transitionForm('verifying', 'resolved')).toBe('resolve');
    expect(transitionForm('planned', 'in_progress')).toBe('none');
    expect(isForward('planned', 'in_progress')).toBe(true);
    expect(isForward('planned', 'locating')).toBe(false);
    expect(isForward('new', 'closed')).toBe(false);
    expect(isForward('resolved', 'closed')).toBe(true);
  });

  it('builds transition bodies with only what the move uses', () => {
    expect(transitionBody('triaged', { category: 'hardware', causeCode: ' hw.x ', priority: 'p2', reason: ' ' })).toEqual({
      to: 'triaged',
      category: 'hardware',
      causeCode: 'hw.x',
      priority: 'p2',
    });
    expect(
      transitionBody('planned', { plan: { kind: 'onsite_repair', summary: ' swap printer ', estimatedCost: 120.5, estimatedMinutes: 90, eta: null }, category: 'x' }),
    ).toEqual({ to: 'planned', plan: { kind: 'onsite_repair', summary: 'swap printer', currency: 'CNY', estimatedCostMinor: 12050, estimatedMinutes: 90 } });
    expect(transitionBody('resolved', { reason: 'fixed on site', override: true })).toEqual({ to: 'resolved', reason: 'fixed on site', override: true });
  });
});

describe('SLA clocks', () => {
  const base = { paused: false, due: '2026-01-01T10:00:00Z', outcome: null, breachedAt: null, state: 'running', remainingMinutes: 30 };
  const now = Date.parse('2026-01-01T09:30:00Z');
  it('reads a clock', () => {
    expect(slaLook(base, now)).toBe('running');
    expect(slaLook({ ...base, paused: true, state: 'paused', due: null }, now)).toBe('paused');
    expect(slaLook({ ...base, remainingMinutes: -5 }, Date.parse('2026-01-01T10:05:00Z'))).toBe('overdue');
    expect(slaLook({ ...base, breachedAt: '2026-01-01T10:00:00Z' }, now)).toBe('breached');
    expect(slaLook({ ...base, state: 'stopped', outcome: 'met' }, now)).toBe('met');
    expect(slaLook({ ...base, state: 'pending', due: null }, now)).toBe('pending');
  });
  it('writes remaining time in words', () => {
    expect(formatRemaining(95, t)).toBe('tickets.duration.h{"count":1} tickets.duration.m{"count":35}');
    expect(formatRemaining(-1500, t)).toBe('tickets.duration.d{"count":1} tickets.duration.h{"count":1}');
    expect(formatRemaining(0, t)).toBe('tickets.duration.m{"count":0}');
  });
});

describe('queue and new tickets', () => {
  it('reads the queue filters from the URL', () => {
    expect(queueQuery({}, 50, 0)).toEqual({ status: 'open', limit: 50, offset: 0 });
    expect(queueQuery({ status: 'verifying', priority: 'p1', assignee: 'me', q: ' T0001 ' }, 20, 40)).toEqual({
      status: 'verifying',
      priority: 'p1',
      assigneeId: 'me',
      q: 'T0001',
      limit: 20,
      offset: 40,
    });
    expect(queueQuery({ status: 'bogus', priority: 'p9' }, 20, 0)).toEqual({ status: 'open', limit: 20, offset: 0 });
  });

  it('opens a ticket from the troubleshooter and from an alert', () => {
    expect(troubleshooterTicket({ terminalId: 't1', symptom: 'no_receipt', symptomLabel: '不出小票', text: '  ', answers: { q1: 'no' } })).toEqual({
      terminalId: 't1',
      title: '不出小票',
      source: 'troubleshooter',
      symptom: 'no_receipt',
      answers: { q1: 'no' },
    });
    expect(
      alertTicket({ name: '电量低', scopeLabel: 'SN-1', terminalId: null, cause: 'hw.battery', members: [{ terminalId: 'a', active: false }, { terminalId: 'b', active: true }] }),
    ).toEqual({ terminalId: 'b', title: '电量低 · SN-1', causeCode: 'hw.battery', source: 'agent' });
    // Opened from an alert page, the ticket names the alert so both link to each other.
    expect(alertTicket({ id: 'al-1', name: '读卡失败', scopeLabel: null, terminalId: 't', cause: null, members: [] })).toEqual({ terminalId: 't', title: '读卡失败', alertId: 'al-1', source: 'agent' });
    expect(createdText({ duplicate: true, ticket: { number: 'T000123' } }, t)).toBe('tickets.create.duplicate{"number":"T000123"}');
  });
});
