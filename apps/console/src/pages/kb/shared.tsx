/** Pieces the knowledge-base pages share: the status tag, cause names, the language fallback, highlighting. */
import { Fragment, type ReactNode } from 'react';
import { Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { kbApi, type KbStatus, type KbText } from '../../api/kb';
import { currentLanguage } from '../../i18n';
import { useLang } from '../alerts/queries';
import './kb.css';

export const KB_STATUS_COLORS: Record<KbStatus, string> = { draft: 'gold', published: 'green', archived: 'default' };

export function KbStatusTag({ status }: { status: KbStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={KB_STATUS_COLORS[status]} data-testid="kb-status" data-status={status}>
      {t(`kb.status.${status}`)}
    </Tag>
  );
}

/** The text in the UI language, or the other language's (flagged) while that one is still empty. */
export function textIn(v: KbText, lang = currentLanguage()): { text: string; fallback: boolean } {
  const other = lang === 'zh-CN' ? 'en-US' : 'zh-CN';
  if (v[lang]?.trim()) return { text: v[lang], fallback: false };
  return { text: v[other] ?? '', fallback: !!v[other]?.trim() };
}

/** The fault taxonomy with names in the UI language and published-article counts. */
export function useKbCauses() {
  const lng = useLang();
  return useQuery({ queryKey: ['kb', 'causes', lng], queryFn: () => kbApi.causes(), staleTime: 60_000 });
}

export function CauseTags({ codes, link = true }: { codes: string[]; link?: boolean }) {
  const causes = useKbCauses();
  const name = (c: string) => causes.data?.items.find((x) => x.code === c)?.title ?? c;
  return (
    <span className="kb-cause-tags">
      {codes.map((c) => (
        <Tag key={c} color="blue" data-testid="kb-cause" data-code={c} title={c}>
          {link ? <Link to={`/kb?cause=${encodeURIComponent(c)}`}>{name(c)}</Link> : name(c)}
        </Tag>
      ))}
    </span>
  );
}

/** Marks the searched words in a text (case-insensitive; stems such as "jam" also mark "jammed"). */
export function Highlight({ text, terms }: { text: string; terms: string[] }): ReactNode {
  const words = terms.filter((w) => w.length > 0).sort((a, b) => b.length - a.length);
  if (!words.length || !text) return text;
  const re = new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'gi');
  return text.split(re).map((part, i) => (i % 2 === 1 ? <mark key={i} className="kb-mark">{part}</mark> : <Fragment key={i}>{part}</Fragment>));
}

/** Paragraphs of a text written with blank lines between them. */
export function Paragraphs({ text, className }: { text: string; className?: string }) {
  return (
    <div className={className}>
      {text
        .split(/\n{2,}/)
        .filter((p) => p.trim())
        .map((p, i) => (
          <p key={i} className="kb-paragraph">
            {p}
          </p>
        ))}
    </div>
  );
}
