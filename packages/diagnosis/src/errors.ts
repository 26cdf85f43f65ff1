/** A case the engine cannot read: names the field, in both languages, with a stable id. */
export class DiagnosisInputError extends Error {
  readonly id = 'diagnosis.invalid_case';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`invalid diagnosis case: ${field}: ${problem}`);
    this.name = 'DiagnosisInputError';
  }

  messageIn(lang: string): string {
    return lang.startsWith('zh') ? `诊断案例无效：字段 ${this.field}：${this.problem}` : this.message;
  }
}
