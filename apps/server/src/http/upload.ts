/**
 * The one way a route reads a multipart upload: one file, at most `maxBytes`, and every text field
 * through the same guard as JSON bodies (`assertCleanInput`: card numbers in any disguise, NUL bytes),
 * so a field is refused by name and its value is never repeated or logged. Fields sent after the file
 * are read too, so nothing in the request escapes the check.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/errors.js';
import { assertCleanInput } from './inputGuard.js';

/** A text field of a form; none of ours is longer than a caption. */
export const MAX_FIELD_BYTES = 64 * 1024;

export interface Upload {
  filename: string;
  mimetype: string;
  bytes: Buffer;
  /** Text fields, already checked. */
  fields: Record<string, string>;
}

/** "50 MiB", "512 KiB": the limit as the 413 names it. */
export function formatLimit(bytes: number): string {
  const mib = bytes / 1024 / 1024;
  if (mib >= 1) return `${Math.round(mib * 10) / 10} MiB`;
  return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
}

export const payloadTooLarge = (limitBytes: number) => new AppError('validation.payload_too_large', 413, { limit: formatLimit(limitBytes) });

export async function receiveFile(
  req: FastifyRequest,
  opts: { maxBytes: number; tooLarge?: () => AppError },
): Promise<Upload | null> {
  if (!req.isMultipart()) return null;
  let file: Upload | null = null;
  const fields: Record<string, string> = {};
  try {
    for await (const part of req.parts({ limits: { fileSize: opts.maxBytes, files: 1, fields: 32, fieldSize: MAX_FIELD_BYTES } })) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        file = { filename: part.filename, mimetype: part.mimetype, bytes, fields };
      } else {
        // A cut value could hide the rest of a card number past the cut: refuse it whole.
        if (part.valueTruncated) throw payloadTooLarge(MAX_FIELD_BYTES);
        assertCleanInput(part.fieldname, 'body');
        assertCleanInput(part.value, `body.${part.fieldname}`);
        if (typeof part.value === 'string') fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw opts.tooLarge?.() ?? payloadTooLarge(opts.maxBytes);
    throw err;
  }
  return file;
}
