/** The one place where errors become HTTP answers, in the caller's language. */
import { randomBytes } from 'node:crypto';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ErrorBody, Language } from '@poscare/contracts';
import { AppError, type FieldProblem } from '../errors/errors.js';
import { translate } from '../i18n/messages.js';
import { payloadTooLarge } from './upload.js';

const zodLocales = { 'zh-CN': z.locales.zhCN(), 'en-US': z.locales.en() };

/** Renders one zod issue in the user's language (zod's own locales, so wording stays consistent). */
export function localiseIssue(lang: Language, issue: Record<string, unknown>): string {
  const out = zodLocales[lang].localeError(issue as never);
  return typeof out === 'string' ? out : (out?.message ?? String(issue.message ?? 'invalid'));
}

export function zodProblems(err: z.ZodError, prefix = ''): FieldProblem[] {
  return err.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    id: 'row.invalid',
    params: { issue: i },
  }));
}

export function renderError(lang: Language, err: AppError): ErrorBody {
  return {
    error: {
      id: err.id,
      message: translate(lang, err.id, err.params),
      ...(err.details?.length
        ? {
            details: err.details.map((d) => ({
              path: d.path,
              message:
                d.text ??
                (d.params?.issue ? localiseIssue(lang, d.params.issue as Record<string, unknown>) : translate(lang, d.id, d.params)),
            })),
          }
        : {}),
    },
  };
}

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const lang = req.lang ?? 'zh-CN';
  let app: AppError;
  if (err instanceof AppError) {
    app = err;
  } else if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    app = new AppError(
      'validation.failed',
      400,
      {},
      err.validation.map((v) => {
        const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
        return {
          path: path ? `${where}.${path}` : where,
          id: 'row.invalid',
          params: { issue: { ...v.params, code: v.keyword, message: v.message, path: path.split('.') } },
        };
      }),
    );
  } else if (err instanceof z.ZodError) {
    app = new AppError('validation.failed', 400, {}, zodProblems(err));
  } else if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && err.statusCode === 400)) {
    app = new AppError('validation.malformed_json', 400);
  } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    // The limit of what was refused: this route's body limit (some routes set their own), not always the server's.
    app = payloadTooLarge(req.routeOptions.bodyLimit ?? req.server.initialConfig.bodyLimit!);
  } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.statusCode === 415) {
    app = new AppError('import.unsupported_type', 415);
  } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    app = new AppError('validation.failed', err.statusCode, {}, [{ path: '', id: 'row.invalid', text: err.message }]);
  } else {
    const ref = randomBytes(4).toString('hex');
    req.log.error({ err, ref }, 'unhandled error');
    app = new AppError('internal', 500, { ref });
  }
  if (app.status >= 400 && app.status < 500) req.log.info({ errorId: app.id, status: app.status }, 'request refused');
  return reply.status(app.status).send(renderError(lang, app));
}
