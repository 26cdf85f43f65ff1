/**
 * The service-desk report as files: CSV (UTF-8 with a BOM, so Excel shows Chinese correctly; one
 * section) and XLSX (exceljs; one sheet per section). Headers are in the caller's language; the
 * figures are those of the JSON report (hours to 2 decimals, shares as percentages to 1 decimal).
 */
import {
  CAUSE_DIMENSIONS,
  REPORT_SECTIONS,
  TICKET_PRIORITIES,
  type CauseDimension,
  type Language,
  type ReportSection,
  type SatisfactionGroup,
} from '@poscare/contracts';
import { translate, type MessageId } from '../i18n/messages.js';
import { localDay } from './range.js';
import { sheetToCsv, sheetsToXlsx, type Cell } from '../http/spreadsheet.js';
import type { ReportBundle } from './service.js';

export interface Table {
  section: ReportSection;
  title: string;
  header: string[];
  rows: Cell[][];
}

export const percent = (share: number | null): number | null => (share === null ? null : Math.round(share * 1000) / 10);

const CAUSE_SECTIONS: Record<CauseDimension, ReportSection> = {
  model: 'causes_model',
  appVersion: 'causes_app_version',
  region: 'causes_region',
  merchant: 'causes_merchant',
};
const CAUSE_COLUMN: Record<CauseDimension, MessageId> = {
  model: 'report.col.model',
  appVersion: 'report.col.app_version',
  region: 'report.col.region',
  merchant: 'report.col.merchant',
};

/** The sections a caller gets: a merchant caller's file has no per-agent or per-team satisfaction. */
export function availableSections(b: ReportBundle): ReportSection[] {
  return REPORT_SECTIONS.filter((s) => !(s === 'satisfaction_agent' && !b.satisfaction.agent) && !(s === 'satisfaction_team' && !b.satisfaction.team));
}

export function buildTables(b: ReportBundle, lang: Language, sections: readonly ReportSection[]): Table[] {
  const tr = (id: MessageId, params?: Record<string, unknown>) => translate(lang, id, params);
  const r = b.report;
  const none = tr('report.label.none');
  const causeName = (code: string | null) => (code ? (r.causeTitles[code] ?? code) : tr('report.label.unclassified'));
  const scoreCols = [1, 2, 3, 4, 5].map((n) => tr('report.col.score_n', { n }));
  const satisfactionRows = (groups: SatisfactionGroup[] | undefined) =>
    (groups ?? []).map((g) => [g.label, g.count, g.average, percent(g.satisfiedShare), ...g.distribution]);

  const make = (section: ReportSection): Table => {
    const title = tr(`report.section.${section}` as MessageId);
    switch (section) {
      case 'summary':
        return {
          section,
          title,
          header: [tr('report.col.metric'), tr('report.col.value')],
          rows: [
            // Days as the page shows them: the period's end is exclusive, so its last day is the one before.
            [tr('report.metric.from'), localDay(new Date(r.from))],
            [tr('report.metric.to'), localDay(new Date(new Date(r.to).getTime() - 1))],
            [tr('report.metric.opened'), r.opened],
            [tr('report.metric.resolved'), r.mttr.resolved],
            [tr('report.metric.mttr_mean'), r.mttr.meanHours],
            [tr('report.metric.mttr_median'), r.mttr.medianHours],
            [tr('report.metric.ftf_rate'), percent(r.firstTimeFix.rate)],
            [tr('report.metric.sla_compliance'), percent(r.sla.compliance)],
            [tr('report.metric.open'), r.sla.open],
            [tr('report.metric.open_overdue'), r.sla.openOverdue],
            [tr('report.metric.ratings'), r.satisfaction.count],
            [tr('report.metric.avg_score'), r.satisfaction.average],
            [tr('report.metric.satisfied_share'), percent(r.satisfaction.satisfiedShare)],
          ],
        };
      case 'mttr_weekly':
        return {
          section,
          title,
          header: [tr('report.col.week'), tr('report.col.resolved'), tr('report.col.mean_hours'), tr('report.col.median_hours')],
          rows: r.mttr.weeks.map((w) => [w.week, w.resolved, w.meanHours, w.medianHours]),
        };
      case 'backlog':
        return {
          section,
          title,
          header: [tr('report.col.age'), ...TICKET_PRIORITIES.map((p) => p.toUpperCase()), tr('report.col.total')],
          rows: r.backlog.buckets.map((x) => [tr(`report.bucket.${x.bucket}` as MessageId), ...TICKET_PRIORITIES.map((p) => x.byPriority[p] ?? 0), x.total]),
        };
      case 'satisfaction':
        return {
          section,
          title,
          header: [tr('report.col.score'), tr('report.col.count'), tr('report.col.share')],
          rows: r.satisfaction.distribution.map((n, i) => [i + 1, n, percent(r.satisfaction.count ? n / r.satisfaction.count : null)]),
        };
      case 'satisfaction_agent':
      case 'satisfaction_team':
      case 'satisfaction_cause': {
        const by = section === 'satisfaction_agent' ? 'agent' : section === 'satisfaction_team' ? 'team' : 'cause';
        const first = by === 'agent' ? tr('report.col.agent') : by === 'team' ? tr('report.col.team') : tr('report.col.cause');
        return { section, title, header: [first, tr('report.col.count'), tr('report.col.average'), tr('report.col.satisfied'), ...scoreCols], rows: satisfactionRows(b.satisfaction[by]) };
      }
      default: {
        const dim = CAUSE_DIMENSIONS.find((d) => CAUSE_SECTIONS[d] === section)!;
        return {
          section,
          title,
          header: [tr(CAUSE_COLUMN[dim]), tr('report.col.group_total'), tr('report.col.cause_code'), tr('report.col.cause'), tr('report.col.tickets')],
          rows: r.causes[dim].flatMap((g) => g.causes.map((c) => [g.label ?? none, g.total, c.code ?? '', causeName(c.code), c.count])),
        };
      }
    }
  };
  return sections.map(make);
}

export function toCsv(table: Table): Buffer {
  return sheetToCsv(table);
}

export async function toXlsx(tables: Table[], lang: Language): Promise<Buffer> {
  return sheetsToXlsx(tables, lang, translate(lang, 'report.title'));
}

/** e.g. poscare-service-desk-summary-2026-01-05_2026-03-01.csv (the days of the period, inclusive). */
export function fileName(b: ReportBundle, section: ReportSection | 'all', format: 'csv' | 'xlsx'): string {
  const from = localDay(new Date(b.report.from));
  const last = localDay(new Date(new Date(b.report.to).getTime() - 1));
  return `poscare-service-desk-${section.replace(/_/g, '-')}-${from}_${last}.${format}`;
}
