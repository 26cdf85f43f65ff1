import type { ErrorBody } from '@poscare/contracts';
import i18n from '../i18n';
import { saveBlob } from '../lib/csv';

/** An error answer from the API (or a network failure, status 0), with the message already in the user's language. */
export class ApiError extends Error {
  readonly status: number;
  readonly id: string;
  readonly details: NonNullable<ErrorBody['error']['details']>;

  constructor(status: number, id: string, message: string, details: ApiError['details'] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.id = id;
    this.details = details;
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

type QueryValue = string | number | boolean | null | undefined;

export interface ApiOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Record<string, QueryValue>;
  signal?: AbortSignal;
  /** Do not treat a 401 as "session over" (used by the login call and the initial /me probe). */
  quiet401?: boolean;
}

export const API_BASE = '/api/v1';

let unauthorizedHandler: () => void = () => {};
/** Called whenever an API call answers 401: the session is gone, the app goes back to the sign-in page. */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return `${API_BASE}${path}${qs ? `?${qs}` : ''}`;
}

function isErrorBody(x: unknown): x is ErrorBody {
  if (!x || typeof x !== 'object') return false;
  const e = (x as { error?: unknown }).error;
  return !!e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string';
}

export async function api<T>(path: string, opts: ApiOptions = {}): Promise<T> {
  const { method = 'GET', body, query, signal, quiet401 } = opts;
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': i18n.language || 'zh-CN',
  };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }

  let res: Response;
  try {
    res = await fetch(buildUrl(path, query), { method, headers, body: payload, credentials: 'same-origin', signal });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', i18n.t('errors.network'));
  }

  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }

  if (!res.ok) {
    if (res.status === 401 && !quiet401) unauthorizedHandler();
    if (isErrorBody(data)) {
      throw new ApiError(res.status, data.error.id, data.error.message, data.error.details ?? []);
    }
    throw new ApiError(res.status, `http_${res.status}`, i18n.t('errors.http', { status: res.status }));
  }
  return data as T;
}

/** Shape of every list answer. */
export interface PageOf<T> {
  items: T[];
  total: number;
}

/** Downloads a file from the API: errors arrive as ApiError in the user's language; the server names the file. */
export async function download(path: string, query: Record<string, QueryValue>): Promise<string> {
  const res = await fetch(buildUrl(path, query), { headers: { 'Accept-Language': i18n.language || 'zh-CN' }, credentials: 'same-origin' });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { id: string; message: string; details?: { path: string; message: string }[] } } | null;
    if (body?.error) throw new ApiError(res.status, body.error.id, body.error.message, body.error.details ?? []);
    throw new ApiError(res.status, `http_${res.status}`, i18n.t('errors.http', { status: res.status }));
  }
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'poscare-report';
  saveBlob(name, await res.blob());
  return name;
}
