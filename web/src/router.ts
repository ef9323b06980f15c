// A minimal client-side router over the History API: the server answers every client path
// with index.html (src/http/static_files.h), so deep links and reloads work.
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<(p: string) => void>();

export function navigate(path: string): void {
  if (path === location.pathname) return;
  history.pushState(null, '', path);
  listeners.forEach((f) => f(path));
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => listeners.forEach((f) => f(location.pathname)));

export function usePath(): string {
  const [path, set] = useState(location.pathname);
  useEffect(() => {
    listeners.add(set);
    return () => {
      listeners.delete(set);
    };
  }, []);
  return path;
}

// Click handler for <a href>: client navigation for plain left clicks.
export function linkTo(e: MouseEvent): void {
  const a = e.currentTarget as HTMLAnchorElement;
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.pathname);
}
