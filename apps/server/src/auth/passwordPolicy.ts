/**
 * Passwords must be hard to guess, not only long: zxcvbn-ts scores them against common-password
 * lists, keyboard patterns, repeats and sequences, and the words of the person's own context (e-mail,
 * its local part, name, organization, "poscare"). Score 3 of 4 (about 10^8 guesses) is the floor.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { AppError } from '../errors/errors.js';

export const MIN_PASSWORD_SCORE = 3;

let factory: ZxcvbnFactory | undefined;
const zxcvbn = () =>
  (factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  }));

export interface PasswordContext {
  email?: string | null | undefined;
  name?: string | null | undefined;
  orgName?: string | null | undefined;
}

/** The words an attacker who knows the person would try first. */
export function contextWords(c: PasswordContext): string[] {
  const words = new Set<string>(['poscare']);
  const email = c.email?.trim().toLowerCase();
  if (email) {
    words.add(email);
    const [local = '', domain = ''] = email.split('@');
    if (local) words.add(local);
    for (const part of [...local.split(/[._+-]/), ...domain.split('.')]) if (part.length >= 3) words.add(part);
  }
  for (const s of [c.name, c.orgName]) {
    if (!s?.trim()) continue;
    words.add(s.trim().toLowerCase());
    for (const part of s.toLowerCase().split(/[\s()._-]+/)) if (part.length >= 3) words.add(part);
  }
  return [...words];
}

/** The zxcvbn score (0–4) of a password in its context. */
export function passwordScore(password: string, c: PasswordContext = {}): number {
  return zxcvbn().check(password.slice(0, 100), contextWords(c)).score;
}

export const isStrongPassword = (password: string, c: PasswordContext = {}) => passwordScore(password, c) >= MIN_PASSWORD_SCORE;

/** Throws a validation error on the given body field when the password is too easy to guess. */
export function assertStrongPassword(password: string, c: PasswordContext, field = 'password'): void {
  if (!isStrongPassword(password, c)) {
    throw new AppError('password.weak', 400, {}, [{ path: `body.${field}`, id: 'password.weak' }]);
  }
}
