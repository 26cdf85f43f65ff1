import { containsCardData, DeviceMessage } from '@poscare/contracts';
import { describe, expect, it } from 'vitest';
import { CardDataError, MessageValidationError } from './errors.js';
import { MessageIdFactory } from './messageIds.js';
import { buildEvent, buildTelemetry, buildTransaction, checkOutgoing } from './messages.js';

const AT = new Date('2026-03-02T04:30:00.000Z');

describe('message ids', () => {
  it('are unique, valid for the protocol, and never look like a card number', () => {
    // A terminal id made of digits is the worst case for accidental digit runs.
    const ids = new MessageIdFactory('12345678-1234-4234-8234-123456789012');
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const id = ids.next(new Date(AT.getTime() + Math.floor(i / 7) * 1000));
      expect(seen.has(id)).toBe(false);
      seen.add(id);
      if (i % 500 === 0) {
        expect(containsCardData(id)).toBe(false);
        expect(DeviceMessage.safeParse(buildEvent({ type: 'info' }, AT, id)).success).toBe(true);
      }
    }
    for (const id of seen) expect(/\d{13,}/.test(id.replace(/[\s-]/g, ''))).toBe(false);
  });

  it('differ between two runs of a seeded random source when the message times differ', () => {
    const seeded = () => 0.5;
    const a = new MessageIdFactory('t1', seeded).next(AT);
    const b = new MessageIdFactory('t1', seeded).next(new Date(AT.getTime() + 60_000));
    expect(a).not.toBe(b);
  });
});

describe('checkOutgoing', () => {
  it('passes a valid message through', () => {
    const m = buildTelemetry({ battery: { pct: 80, charging: false }, printer: { status: 'ok' } }, AT, 'abcdefgh_1');
    expect(checkOutgoing(m)).toEqual(m);
  });

  it('names the bad field', () => {
    const m = buildTelemetry({ battery: { pct: 140 } }, AT, 'abcdefgh_1');
    expect(() => checkOutgoing(m)).toThrow(MessageValidationError);
    try {
      checkOutgoing(m);
    } catch (err) {
      expect((err as MessageValidationError).field).toBe('data.battery.pct');
      expect((err as MessageValidationError).code).toBe('message_invalid');
      expect((err as Error).message).toContain('data.battery.pct');
    }
  });

  it('names a bad envelope field too', () => {
    const m = { ...buildEvent({ type: 'info' }, AT, 'abcdefgh_1'), at: 'yesterday' };
    expect(() => checkOutgoing(m)).toThrow(expect.objectContaining({ field: 'at' }));
  });

  it('refuses a full card number anywhere in the message, without repeating it in the error', () => {
    const m = buildEvent({ type: 'error', message: 'card 4111 1111 1111 1111 declined' }, AT, 'abcdefgh_1');
    expect(() => checkOutgoing(m)).toThrow(CardDataError);
    try {
      checkOutgoing(m);
    } catch (err) {
      expect((err as Error).message).not.toContain('4111');
      expect((err as CardDataError).code).toBe('card_data');
    }
    const t = buildTransaction({ entryMode: 'chip', outcome: 'approved', cardToken: '4111111111111111' }, AT, 'abcdefgh_2');
    expect(() => checkOutgoing(t)).toThrow(CardDataError);
    const track = buildEvent({ type: 'debug', message: ';4000000000000002=2512101000000' }, AT, 'abcdefgh_3');
    expect(() => checkOutgoing(track)).toThrow(CardDataError);
  });

  it('accepts tokens and masked numbers', () => {
    const t = buildTransaction({ entryMode: 'contactless', outcome: 'approved', cardToken: 'tok_9f3a61c2b0d4e8a7' }, AT, 'abcdefgh_4');
    expect(() => checkOutgoing(t)).not.toThrow();
    const masked = buildTransaction({ entryMode: 'chip', outcome: 'approved', cardToken: '411111******1111' }, AT, 'abcdefgh_5');
    expect(() => checkOutgoing(masked)).not.toThrow();
  });

  it('sends the message as the contract reads it: unknown fields are not sent', () => {
    const m = { ...buildEvent({ type: 'info' }, AT, 'abcdefgh_6'), debugDump: 'x'.repeat(100_000) };
    expect(checkOutgoing(m)).not.toHaveProperty('debugDump');
  });
});
