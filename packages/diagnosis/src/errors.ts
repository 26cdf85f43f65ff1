/** A case the engine cannot read: names the field, in both languages, with a stable id. */
import { z } from 'zod';

// zod's own locales, as the server's error handler uses, so the wording matches the API's.
const LOCALES = { zh: z.locales.zhCN(), en: z.locales.en() };

export class DiagnosisInputError extends Error {
  readonly id = 'diagnosis.invalid_case';
  constructor(
    readonly field: string,
    readonly problem: string,
    /** The zod issue behind it, when there is one, for wording in another language. */
    readonly issue?: unknown,
  ) {
    super(`invalid diagnosis case: ${field}: ${problem}`);
    this.name = 'DiagnosisInputError';
  }

  messageIn(lang: string): string {
    if (!lang.startsWith('zh')) return this.message;
    const out = this.issue ? LOCALES.zh.localeError(this.issue as never) : undefined;
    const problem = typeof out === 'string' ? out : (out?.message ?? this.problem);
    return `诊断案例无效：字段 ${this.field}：${problem}`;
  }
}
