import { useMutation } from 'urql';
import { MarkReadDocument, NotificationsDocument, type NotificationKind } from '../graphql/generated';
import { useLiveQuery } from '../app/useLiveQuery';
import { emit } from '../app/events';
import { NOTIFICATIONS_PAGE } from '../app/constants';
import { dateTime } from '../lib/money';

const KIND: Record<NotificationKind, string> = {
  BUDGET_APPROACHING: 'Budget approaching',
  BUDGET_EXCEEDED: 'Budget exceeded',
  SYNC_COMPLETED: 'Sync finished',
  SYNC_FAILED: 'Sync failed',
};

export function NotificationsScreen() {
  const [{ data, fetching }] = useLiveQuery({ query: NotificationsDocument, variables: NOTIFICATIONS_PAGE });
  const [, markRead] = useMutation(MarkReadDocument);
  const items = data?.notifications.edges.map((e) => e.node) ?? [];
  const unread = items.filter((n) => !n.read);

  async function mark(ids: string[]) {
    if (!ids.length) return;
    await markRead({ input: { ids } });
    emit('data');
  }

  return (
    <>
      <h1 tabIndex={-1}>Notifications</h1>
      <p className="lede" data-testid="unread-summary">
        {unread.length === 0 ? 'Nothing unread.' : `${unread.length} unread.`}
      </p>
      {unread.length > 0 && (
        <button type="button" className="secondary" onClick={() => void mark(unread.map((n) => n.id))}>
          Mark all as read
        </button>
      )}
      {!data && fetching && <p role="status">Loading notifications…</p>}
      {data && items.length === 0 && <p className="empty">No notifications yet.</p>}
      <ul className="notification-list">
        {items.map((n) => (
          <li key={n.id} className={`card notification ${n.read ? 'read' : 'unread'}`} data-testid="notification">
            <div className="account-head">
              <h2 className="h3">{KIND[n.kind]}</h2>
              <span className="status-label">{n.read ? 'Read' : 'Unread'}</span>
            </div>
            <p>{n.message}</p>
            <p className="tx-meta">
              <time dateTime={n.createdAt}>{dateTime(n.createdAt)}</time>
            </p>
            {!n.read && (
              <button type="button" className="link-button" onClick={() => void mark([n.id])}>
                Mark as read<span className="visually-hidden">: {KIND[n.kind]}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
