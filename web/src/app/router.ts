// A minimal history router: the server answers every app path with
// index.html, so paths are real URLs (bookmarkable, back button works).
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

export function navigate(path: string): void {
  if (path === location.pathname) return;
  history.pushState(null, '', path);
  for (const l of [...listeners]) l();
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}
