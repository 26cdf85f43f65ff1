/**
 * A strength meter under a new-password field: zxcvbn-ts in the browser (loaded on first use), with the
 * same context words and the same floor (score 3 of 4) as the server, so "strong enough" means the same here.
 */
import { useEffect, useState } from 'react';
import { Progress, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

type Check = (password: string, words: string[]) => number;
let loading: Promise<Check> | null = null;
function loadChecker(): Promise<Check> {
  loading ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]).then(([core, common, en]) => {
    const z = new core.ZxcvbnFactory({ dictionary: { ...common.dictionary, ...en.dictionary }, graphs: common.adjacencyGraphs, translations: en.translations });
    return (password: string, words: string[]) => z.check(password.slice(0, 100), words).score;
  });
  return loading;
}

/** The server's floor (apps/server/src/auth/passwordPolicy.ts). */
export const MIN_SCORE = 3;

/** Words an attacker who knows the person tries first: e-mail, its parts, name, organization, "poscare". */
export function contextWords(ctx: { email?: string | undefined; name?: string | undefined; orgName?: string | undefined }): string[] {
  const words = new Set<string>(['poscare']);
  const email = ctx.email?.trim().toLowerCase();
  if (email) {
    words.add(email);
    const [local = '', domain = ''] = email.split('@');
    if (local) words.add(local);
    for (const p of [...local.split(/[._+-]/), ...domain.split('.')]) if (p.length >= 3) words.add(p);
  }
  for (const s of [ctx.name, ctx.orgName]) {
    if (!s?.trim()) continue;
    words.add(s.trim().toLowerCase());
    for (const p of s.toLowerCase().split(/[\s()._-]+/)) if (p.length >= 3) words.add(p);
  }
  return [...words];
}

const COLORS = ['#cf1322', '#d4380d', '#d48806', '#389e0d', '#237804'];

export function PasswordStrength({ password, email, name, orgName }: { password: string | undefined; email?: string | undefined; name?: string | undefined; orgName?: string | undefined }) {
  const { t } = useTranslation();
  const [score, setScore] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    if (!password) {
      setScore(null);
      return;
    }
    void loadChecker().then((check) => {
      if (live) setScore(check(password, contextWords({ email, name, orgName })));
    });
    return () => {
      live = false;
    };
  }, [password, email, name, orgName]);

  if (!password || score === null) {
    return (
      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="password-strength-hint">
        {t('security.strength.hint')}
      </Typography.Text>
    );
  }
  return (
    <div className="password-strength" data-testid="password-strength" data-score={score}>
      <Progress percent={(score + 1) * 20} steps={5} showInfo={false} strokeColor={COLORS[score]} size={[28, 6]} />
      <Typography.Text style={{ fontSize: 12, color: COLORS[score] }}>
        {t(`security.strength.s${score as 0 | 1 | 2 | 3 | 4}`)}
        {score < MIN_SCORE ? ` — ${t('security.strength.tooWeak')}` : ''}
      </Typography.Text>
    </div>
  );
}
