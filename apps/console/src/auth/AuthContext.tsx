import { createContext, useCallback, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, isApiError, onUnauthorized } from '../api/client';
import type { Language, Me } from '../api/types';
import type { LoginChallenge } from '@poscare/contracts';
import { changeLanguage, currentLanguage, storedLanguage } from '../i18n';

export const ME_KEY = ['me'] as const;

interface AuthValue {
  me: Me | null;
  loading: boolean;
  /** Set when the session could not be checked at all (server down). */
  error: Error | null;
  retry: () => void;
  can: (permission: string) => boolean;
  /** A session (Me), or a challenge when the account has a second factor and this browser is not remembered. */
  login: (email: string, password: string) => Promise<Me | LoginChallenge>;
  secondFactor: (input: { challenge: string; code?: string; recoveryCode?: string; rememberDevice: boolean }) => Promise<Me>;
  /** Reads the signed-in user again (after enrolling a second factor). */
  refresh: () => Promise<void>;
  logout: () => Promise<void>;
  setLanguage: (lng: Language) => Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

/**
 * A non-secret hint that this browser signed in before. Without it the console does not probe /me at start,
 * so a signed-out visit makes no request that is bound to fail (the session cookie itself is httpOnly).
 */
const SESSION_HINT_KEY = 'poscare.signedIn';
function sessionHint(on?: boolean): boolean {
  try {
    if (on === true) window.localStorage.setItem(SESSION_HINT_KEY, '1');
    else if (on === false) window.localStorage.removeItem(SESSION_HINT_KEY);
    return window.localStorage.getItem(SESSION_HINT_KEY) === '1';
  } catch {
    return true;
  }
}

async function fetchMe(): Promise<Me | null> {
  if (!sessionHint()) return null;
  try {
    return await api<Me>('/me', { quiet401: true });
  } catch (e) {
    if (isApiError(e) && e.status === 401) {
      sessionHint(false);
      return null;
    }
    throw e;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const { t } = useTranslation();

  const meQuery = useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: Infinity, retry: 1 });
  const me = meQuery.data ?? null;

  // A 401 anywhere means the session is over: forget everything and show the sign-in page.
  useEffect(() => {
    onUnauthorized(() => {
      const hadSession = qc.getQueryData<Me | null>(ME_KEY);
      sessionHint(false);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
      qc.setQueryData(ME_KEY, null);
      if (hadSession) void message.warning({ key: 'session-expired', content: t('auth.sessionExpired') });
    });
  }, [qc, message, t]);

  // Signed in from an earlier visit, but this browser never stored a choice: use the account's language.
  useEffect(() => {
    if (me && !storedLanguage() && me.language !== currentLanguage()) void changeLanguage(me.language);
  }, [me]);

  const signedIn = useCallback(
    async (who: Me) => {
      sessionHint(true);
      qc.clear();
      qc.setQueryData(ME_KEY, who);
      await changeLanguage(who.language);
      return who;
    },
    [qc],
  );

  const login = useCallback(
    async (email: string, password: string) => {
      const answer = await api<Me | LoginChallenge>('/auth/login', { method: 'POST', body: { email, password }, quiet401: true });
      if ('challenge' in answer) return answer;
      return signedIn(answer);
    },
    [signedIn],
  );

  const secondFactor = useCallback(
    async (input: { challenge: string; code?: string; recoveryCode?: string; rememberDevice: boolean }) =>
      signedIn(await api<Me>('/auth/login/second-factor', { method: 'POST', body: input, quiet401: true })),
    [signedIn],
  );

  const refresh = useCallback(async () => {
    const who = await api<Me>('/me');
    qc.setQueryData(ME_KEY, who);
  }, [qc]);

  const logout = useCallback(async () => {
    try {
      await api('/auth/logout', { method: 'POST', quiet401: true });
    } catch {
      /* signing out locally is what matters */
    }
    sessionHint(false);
    qc.clear();
    qc.setQueryData(ME_KEY, null);
    navigate('/login', { replace: true });
  }, [qc, navigate]);

  const setLanguage = useCallback(
    async (lng: Language) => {
      await changeLanguage(lng);
      const current = qc.getQueryData<Me | null>(ME_KEY);
      if (!current) return;
      try {
        await api('/me/preferences', { method: 'PATCH', body: { language: lng } });
        qc.setQueryData<Me | null>(ME_KEY, (old) => (old ? { ...old, language: lng } : old));
      } catch (e) {
        if (isApiError(e) && e.status !== 401) void message.error(e.message);
      }
    },
    [qc, message],
  );

  const value = useMemo<AuthValue>(
    () => ({
      me,
      loading: meQuery.isPending,
      can: (p) => !!me && me.permissions.includes(p),
      error: meQuery.error,
      retry: () => void meQuery.refetch(),
      login,
      secondFactor,
      refresh,
      logout,
      setLanguage,
    }),
    [me, meQuery.isPending, meQuery.error, meQuery.refetch, login, secondFactor, refresh, logout, setLanguage],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
