import { lazy, Suspense, useEffect, useRef } from 'react';
import { NotificationsDocument } from '../graphql/generated';
import { signOut } from '../api/auth';
import { navigate, usePath } from './router';
import { useLiveQuery } from './useLiveQuery';
import { LiveUpdates } from './LiveUpdates';
import { BudgetScreen } from '../screens/BudgetScreen';
import { TransactionsScreen } from '../screens/TransactionsScreen';
import { AccountsScreen } from '../screens/AccountsScreen';
import { NotificationsScreen } from '../screens/NotificationsScreen';

import { NOTIFICATIONS_PAGE } from './constants';

// The chart library loads only when the Spending screen is opened.
const SpendingScreen = lazy(() => import('../screens/SpendingScreen').then((m) => ({ default: m.SpendingScreen })));

const ROUTES = [
  { path: '/', label: 'Budget', title: 'Budget', Screen: BudgetScreen },
  { path: '/transactions', label: 'Transactions', title: 'Transactions', Screen: TransactionsScreen },
  { path: '/accounts', label: 'Accounts', title: 'Accounts', Screen: AccountsScreen },
  { path: '/spending', label: 'Spending', title: 'Spending', Screen: SpendingScreen },
  { path: '/notifications', label: 'Notifications', title: 'Notifications', Screen: NotificationsScreen },
] as const;

export function Shell() {
  const path = usePath();
  const route = ROUTES.find((r) => r.path === path) ?? ROUTES[0];
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const [notifications] = useLiveQuery({ query: NotificationsDocument, variables: NOTIFICATIONS_PAGE });
  const unread = notifications.data?.notifications.edges.filter((e) => !e.node.read).length ?? 0;
  const more = notifications.data?.notifications.pageInfo.hasNextPage && unread === NOTIFICATIONS_PAGE.first;

  useEffect(() => {
    document.title = `${route.title} · Moneta`;
    if (first.current) {
      first.current = false;
      return;
    }
    // After navigating, reading starts at the new screen's heading.
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [route]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Moneta</span>
        <nav aria-label="Main">
          <ul>
            {ROUTES.map((r) => (
              <li key={r.path}>
                <a
                  href={r.path}
                  aria-current={r === route ? 'page' : undefined}
                  onClick={(e) => {
                    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                    e.preventDefault();
                    navigate(r.path);
                  }}
                >
                  {r.label}
                  {r.path === '/notifications' && unread > 0 && (
                    <span className="badge" data-testid="unread-count">
                      {unread}
                      {more ? '+' : ''}
                      <span className="visually-hidden"> unread</span>
                    </span>
                  )}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" className="secondary signout" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Suspense fallback={<p role="status">Loading…</p>}>
          <route.Screen />
        </Suspense>
      </main>
      <LiveUpdates />
    </>
  );
}
