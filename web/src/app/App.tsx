import { useMemo, useSyncExternalStore } from 'react';
import { Provider } from 'urql';
import { session } from '../api/session';
import { createApiClient } from '../api/client';
import { AuthScreen } from '../screens/AuthScreen';
import { ToastProvider } from '../components/Toasts';
import { Shell } from './Shell';

function useSession() {
  return useSyncExternalStore(
    (l) => session.onState(l),
    () => session.getState(),
  );
}

export function App() {
  const state = useSession();
  if (state.status === 'starting') {
    return (
      <main className="centered" id="main">
        <p role="status">Loading Moneta…</p>
      </main>
    );
  }
  if (state.status === 'signedOut') return <AuthScreen reason={state.reason} />;
  return <SignedIn />;
}

function SignedIn() {
  // A fresh client (and cache) per session.
  const client = useMemo(() => createApiClient(), []);
  return (
    <Provider value={client}>
      <ToastProvider>
        <Shell />
      </ToastProvider>
    </Provider>
  );
}
