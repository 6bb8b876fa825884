// Every transaction, newest first, a page at a time as the list scrolls
// (or "Load more"). The category chips and the seller search (debounced)
// filter on the server (`TransactionFilter.category` / `.seller`).
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useClient } from 'urql';
import { TransactionsPageDocument, type Category } from '../graphql/generated';
import { CATEGORIES, categoryLabel } from '../lib/categories';
import { emit, useOn } from '../app/events';
import { TransactionRow, type TransactionNode } from '../components/TransactionRow';

export const PAGE_SIZE = 25;
/** How long typing must pause before the search is sent. */
const SEARCH_DELAY_MS = 300;

function filterOf(category: Category | null, seller: string) {
  if (!category && !seller) return null;
  return { ...(category ? { category } : {}), ...(seller ? { seller } : {}) };
}

/** `value`, once it has not changed for `ms`. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

interface ListState {
  items: TransactionNode[];
  cursor: string | null;
  hasMore: boolean;
  loading: boolean;
  error: string | null;
  loadedOnce: boolean;
}

const EMPTY: ListState = { items: [], cursor: null, hasMore: true, loading: false, error: null, loadedOnce: false };

export function TransactionsScreen() {
  const client = useClient();
  const [category, setCategory] = useState<Category | null>(null);
  const [search, setSearch] = useState('');
  const seller = useDebounced(search.trim(), SEARCH_DELAY_MS);
  const [list, setList] = useState<ListState>(EMPTY);
  const generation = useRef(0);
  const loading = useRef(false);
  const sentinel = useRef<HTMLDivElement>(null);
  const searchId = useId();

  const loadPage = useCallback(
    async (reset: boolean) => {
      if (loading.current && !reset) return;
      const gen = reset ? ++generation.current : generation.current;
      loading.current = true;
      setList((s) => (reset ? { ...EMPTY, loading: true } : { ...s, loading: true }));
      const after = reset ? null : list.cursor;
      const result = await client
        .query(
          TransactionsPageDocument,
          { first: PAGE_SIZE, after, filter: filterOf(category, seller) },
          { requestPolicy: 'network-only' },
        )
        .toPromise();
      if (gen !== generation.current) return;
      loading.current = false;
      const page = result.data?.transactions;
      setList((s) => {
        if (!page) return { ...s, loading: false, error: result.error?.message ?? 'Could not load transactions.' };
        const seen = new Set(s.items.map((t) => t.id));
        const fresh = page.edges.map((e) => e.node).filter((n) => !seen.has(n.id));
        return {
          items: [...s.items, ...fresh],
          cursor: page.pageInfo.endCursor,
          hasMore: page.pageInfo.hasNextPage,
          loading: false,
          error: null,
          loadedOnce: true,
        };
      });
    },
    [client, category, seller, list.cursor],
  );

  // First page, and again whenever the filter changes.
  useEffect(() => {
    void loadPage(true);
  }, [category, seller]);

  // A finished sync: start over (new transactions are at the top).
  useOn('synced', () => void loadPage(true));

  // Load the next page when the end of the list comes into view.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !list.hasMore || list.loading || !list.loadedOnce) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadPage(false);
    }, { rootMargin: '200px' });
    observer.observe(el);
    return () => observer.disconnect();
  }, [list.hasMore, list.loading, list.loadedOnce, loadPage]);

  const shown = list.items;

  function changed(id: string, next: Category, source: TransactionNode['categorySource']) {
    setList((s) => ({
      ...s,
      items: s.items.map((t) => (t.id === id ? { ...t, category: next, categorySource: source } : t)),
    }));
    emit('data');
  }

  return (
    <>
      <h1 tabIndex={-1}>Transactions</h1>
      <div className="filters">
        <div className="field search">
          <label htmlFor={searchId}>Search by seller</label>
          <input
            id={searchId}
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="e.g. Starbucks"
          />
        </div>
        <div className="chips" role="group" aria-label="Filter by category">
          <button type="button" className="chip" aria-pressed={category === null} onClick={() => setCategory(null)}>
            All
          </button>
          {CATEGORIES.map((c) => (
            <button
              type="button"
              key={c}
              className={`chip chip-${c.toLowerCase()}`}
              aria-pressed={category === c}
              onClick={() => setCategory(category === c ? null : c)}
            >
              {categoryLabel(c)}
            </button>
          ))}
        </div>
      </div>
      <p className="list-status" role="status" data-testid="list-status">
        {list.loadedOnce
          ? `Showing ${shown.length}${list.hasMore ? '' : ' (all)'} ${seller || category ? 'matching ' : ''}transactions.`
          : 'Loading transactions…'}
      </p>
      {list.error && (
        <p className="error" role="alert">
          {list.error}
        </p>
      )}
      {list.loadedOnce && list.items.length === 0 && !list.loading && (
        <p className="empty">
          {seller || category
            ? 'No transactions match.'
            : 'No transactions yet. Link an account on the Accounts screen; they appear here as it syncs.'}
        </p>
      )}
      <ul className="tx-list" aria-label="Transactions">
        {shown.map((tx) => (
          <TransactionRow key={tx.id} tx={tx} onChanged={changed} />
        ))}
      </ul>
      <div ref={sentinel} className="sentinel" />
      {list.hasMore && list.loadedOnce && (
        <button type="button" className="secondary load-more" disabled={list.loading} onClick={() => void loadPage(false)}>
          {list.loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </>
  );
}
