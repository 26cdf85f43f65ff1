import { z } from 'zod';

/** The columns an import file may have. `serial_number`, `vendor` and `model` are required. */
export const IMPORT_COLUMNS = [
  'serial_number',
  'tid',
  'vendor',
  'model',
  'os_version',
  'app_version',
  'firmware_version',
  'connectivity',
  'site_code',
  'lifecycle_state',
] as const;

export const ImportMode = z.enum(['dry_run', 'all_or_nothing', 'valid_only']);
export type ImportMode = z.infer<typeof ImportMode>;

export const ImportProblem = z.object({
  row: z.number().int().describe('1-based row number in the file, header is row 1'),
  column: z.string().nullable(),
  code: z.string(),
  message: z.string(),
});
export type ImportProblem = z.infer<typeof ImportProblem>;

export const ImportReport = z.object({
  mode: ImportMode,
  totalRows: z.number().int(),
  validRows: z.number().int(),
  invalidRows: z.number().int(),
  imported: z.number().int(),
  problems: z.array(ImportProblem),
  problemsTruncated: z.boolean(),
});
export type ImportReport = z.infer<typeof ImportReport>;
