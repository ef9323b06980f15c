// Shared pieces: the error panel (what happened, what to do; never a blank screen), a loading
// line, and a hook that loads data and re-loads when the language changes.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';
import { t, useLang, type Key } from './i18n';

export function explain(error: unknown): { what: string; todo: string; detail: string; ref: string } {
  const p = error instanceof ApiError ? error.problem : null;
  const status = p ? p.status : 500;
  const pick = (k: string): [Key, Key] => [`err${k}` as Key, `err${k}Do` as Key];
  let keys: [Key, Key];
  if (status === 0) keys = pick('Network');
  else if (status === 401) keys = pick('401');
  else if (status === 403) keys = pick('403');
  else if (status === 404) keys = pick('404');
  else if (status === 409) keys = pick('409');
  else if (status === 429) keys = pick('429');
  else if (status >= 400 && status < 500) keys = pick('400');
  else if (status === 503) keys = pick('503');  // starting up (eligibility loading) or busy
  else keys = pick('500');
  return { what: t(keys[0]), todo: t(keys[1]), detail: p?.detail ?? '', ref: p?.request_id ?? '' };
}

export function ErrorPanel({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  useLang();
  const e = explain(error);
  return (
    <div class="error" role="alert">
      <h2>{t('errTitle')}</h2>
      <p><strong>{e.what}</strong>{e.detail ? ` (${e.detail})` : ''}</p>
      <p><strong>{t('errWhatToDo')}:</strong> {e.todo}</p>
      {e.ref && <p class="muted">{t('reference')}: <code>{e.ref}</code></p>}
      {onRetry && <button type="button" onClick={onRetry}>{t('tryAgain')}</button>}
    </div>
  );
}

export function Loading() {
  useLang();
  return <p class="muted" role="status" aria-live="polite">{t('loading')}</p>;
}

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'error'; error: unknown }
  | { state: 'ok'; data: T };

export function useLoad<T>(load: (lang: string) => Promise<T>): [Loaded<T>, () => void] {
  const lang = useLang();
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setResult({ state: 'loading' });
    load(lang).then(
      (data) => live && setResult({ state: 'ok', data }),
      (error: unknown) => live && setResult({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [lang, tick]);
  return [result, useCallback(() => setTick((n) => n + 1), [])];
}

export function Show<T>({ loaded, retry, children }:
  { loaded: Loaded<T>; retry: () => void; children: (data: T) => ComponentChildren }) {
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'error') return <ErrorPanel error={loaded.error} onRetry={retry} />;
  return <>{children(loaded.data)}</>;
}
