// Toasts: an always-present live region, so screen readers announce each
// one as it is added. They stay until dismissed (at most four shown).
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

export interface Toast {
  id: string;
  tone: 'alert' | 'info';
  title: string;
  message: string;
}

interface ToastApi {
  push(toast: Toast): void;
}

const ToastContext = createContext<ToastApi>({ push() {} });

export function useToasts(): ToastApi {
  return useContext(ToastContext);
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const push = useCallback((toast: Toast) => {
    setToasts((list) => (list.some((t) => t.id === toast.id) ? list : [...list, toast].slice(-4)));
  }, []);
  const dismiss = (id: string) => setToasts((list) => list.filter((t) => t.id !== id));
  const api = useMemo(() => ({ push }), [push]);
  return (
    <ToastContext.Provider value={api}>
      {children}
      <section className="toasts" aria-label="Alerts">
        <ol aria-live="polite" aria-relevant="additions" className="toast-list">
          {toasts.map((t) => (
            <li key={t.id} className={`toast toast-${t.tone}`} data-testid="toast">
              <p className="toast-title">{t.title}</p>
              <p>{t.message}</p>
              <button type="button" className="link-button" onClick={() => dismiss(t.id)}>
                Dismiss<span className="visually-hidden"> alert: {t.title}</span>
              </button>
            </li>
          ))}
        </ol>
      </section>
    </ToastContext.Provider>
  );
}
