/** Enrollment: a terminal trades an installer's one-time code and its own serial number for a credential. */
import { Enroll, EnrollResult } from '@poscare/contracts';
import type { z } from 'zod';
import { EnrollError, MessageValidationError, parseServerError } from './errors.js';
import { zodIssues } from './messages.js';

export type Enrollment = z.infer<typeof EnrollResult>;

/**
 * POST /device/v1/enroll. The secret in the answer is shown once: store it in the terminal's secure
 * storage. Throws EnrollError (with the HTTP status and the server's error id) when refused or unreachable.
 */
export async function enroll(httpBaseUrl: string, code: string, serialNumber: string, opts: { fetch?: typeof fetch; timeoutMs?: number } = {}): Promise<Enrollment> {
  const body = Enroll.safeParse({ code, serialNumber });
  if (!body.success) throw new MessageValidationError('enroll', zodIssues(body.error.issues));
  const url = `${httpBaseUrl.replace(/\/+$/, '')}/device/v1/enroll`;
  let res: Response;
  let text: string;
  try {
    res = await (opts.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body.data),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
    text = await res.text();
  } catch (err) {
    throw new EnrollError(undefined, undefined, `could not reach ${url}: ${(err as Error).message}`);
  }
  if (!res.ok) {
    const e = parseServerError(text);
    throw new EnrollError(res.status, e.id, `enrollment refused (${res.status}${e.id ? ` ${e.id}` : ''})${e.message ? `: ${e.message}` : ''}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EnrollError(res.status, undefined, 'enrollment answer is not JSON');
  }
  const result = EnrollResult.safeParse(json);
  if (!result.success) throw new EnrollError(res.status, undefined, `enrollment answer does not match the protocol: ${zodIssues(result.error.issues).map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return result.data;
}
