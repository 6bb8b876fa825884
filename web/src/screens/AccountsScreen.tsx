// Link a bank login (the sandbox in development) and watch its sync finish
// live (`accountSynced`); the linked accounts with their status, "Refresh"
// and "Unlink".
import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import {
  DashboardDocument,
  LinkAccountDocument,
  RefreshAccountDocument,
  UnlinkAccountDocument,
  type AccountStatus,
} from '../graphql/generated';
import { useLiveQuery } from '../app/useLiveQuery';
import { emit, useSyncEvents } from '../app/events';
import { currentMonth } from '../lib/month';
import { dateTime } from '../lib/money';
import { UserErrorText } from '../components/UserErrors';

const STATUS_TEXT: Record<AccountStatus, string> = {
  SYNCING: 'Syncing',
  ACTIVE: 'Up to date',
  LOGIN_REQUIRED: 'Sign-in needed at the bank',
  ERROR: 'Sync failed',
};

export function AccountsScreen() {
  const [{ data, fetching }] = useLiveQuery({ query: DashboardDocument, variables: { month: currentMonth() } });
  const [link, linkAccount] = useMutation(LinkAccountDocument);
  const [, refreshAccount] = useMutation(RefreshAccountDocument);
  const [, unlinkAccount] = useMutation(UnlinkAccountDocument);
  const [error, setError] = useState<string | null>(null);
  // Accounts whose sync was asked for, with when they had last synced then.
  const [waiting, setWaiting] = useState<ReadonlyMap<string, string | null>>(new Map());
  const syncs = useSyncEvents();
  const ids = { institution: useId(), login: useId(), password: useId(), help: useId() };

  function expect(id: string) {
    const before = data?.accounts.find((a) => a.id === id)?.lastSyncedAt ?? null;
    setWaiting((w) => new Map(w).set(id, before));
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const form = new FormData(formEl);
    setError(null);
    const result = await linkAccount({
      input: {
        institution: String(form.get('institution')),
        login: String(form.get('login')),
        password: String(form.get('password')),
      },
    });
    const payload = result.data?.linkAccount;
    const message = payload?.userErrors[0]?.message ?? result.error?.message ?? null;
    if (message || !payload?.account) {
      setError(message ?? 'The account could not be linked.');
      return;
    }
    formEl.reset();
    expect(payload.account.id);
    emit('data');
  }

  async function refresh(id: string) {
    setError(null);
    const result = await refreshAccount({ input: { accountId: id } });
    const message = result.data?.refreshAccount.userErrors[0]?.message ?? result.error?.message ?? null;
    if (message) setError(message);
    else expect(id);
    emit('data');
  }

  async function unlink(id: string, name: string) {
    if (!window.confirm(`Unlink ${name}? Its transactions are removed from Moneta.`)) return;
    const result = await unlinkAccount({ input: { accountId: id } });
    setError(result.data?.unlinkAccount.userErrors[0]?.message ?? result.error?.message ?? null);
    emit('synced');
  }

  const accounts = data?.accounts ?? [];

  return (
    <>
      <h1 tabIndex={-1}>Accounts</h1>
      <section className="card" aria-labelledby="link-heading">
        <h2 id="link-heading">Link an account</h2>
        <form className="link-form" onSubmit={submit}>
          <div className="field">
            <label htmlFor={ids.institution}>Institution</label>
            <select id={ids.institution} name="institution" defaultValue="sandbox">
              <option value="sandbox">Sandbox bank (demo data)</option>
              <option value="simplefin">SimpleFIN Bridge</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.login}>Bank login</label>
            <input id={ids.login} name="login" autoComplete="off" required aria-describedby={ids.help} />
          </div>
          <div className="field">
            <label htmlFor={ids.password}>Bank password</label>
            <input id={ids.password} name="password" type="password" autoComplete="off" required />
          </div>
          <p className="hint" id={ids.help}>
            Sandbox: any login with the password <code>pass_good</code>. For SimpleFIN, the password is your setup token.
          </p>
          <button type="submit" className="primary" disabled={link.fetching}>
            {link.fetching ? 'Linking…' : 'Link account'}
          </button>
        </form>
        <UserErrorText message={error} />
      </section>

      <section aria-labelledby="accounts-heading">
        <h2 id="accounts-heading">Your accounts</h2>
        {!data && fetching && <p role="status">Loading accounts…</p>}
        {data && accounts.length === 0 && <p className="empty">No accounts linked yet.</p>}
        <ul className="account-list">
          {accounts.map((a) => {
            const event = syncs.get(a.id);
            const syncing = a.status === 'SYNCING' || (waiting.has(a.id) && waiting.get(a.id) === a.lastSyncedAt);
            return (
              <li key={a.id} className="card account" data-testid="account" data-status={a.status}>
                <div className="account-head">
                  <h3>{a.displayName}</h3>
                  <span className={`status-label account-${a.status.toLowerCase()}`} data-testid="account-status">
                    {STATUS_TEXT[a.status]}
                  </span>
                </div>
                <p className="tx-meta">
                  {a.institution} · last synced {dateTime(a.lastSyncedAt)}
                </p>
                <div role="status" className="sync-progress" data-testid="sync-progress">
                  {syncing && (
                    <>
                      <progress aria-label={`Syncing ${a.displayName}`} />
                      <span>Syncing transactions…</span>
                    </>
                  )}
                  {!syncing && event && (
                    <span>
                      Sync finished: {event.added} new, {event.modified} changed, {event.removed} removed.
                    </span>
                  )}
                </div>
                <div className="row-actions">
                  <button type="button" className="secondary" disabled={syncing} onClick={() => void refresh(a.id)}>
                    Refresh<span className="visually-hidden"> {a.displayName}</span>
                  </button>
                  <button type="button" className="link-button danger" onClick={() => void unlink(a.id, a.displayName)}>
                    Unlink<span className="visually-hidden"> {a.displayName}</span>
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      </section>
    </>
  );
}
