import { useEffect, useRef, useState } from 'react';
import type { Category, TransactionsPageQuery } from '../graphql/generated';
import { categoryLabel } from '../lib/categories';
import { day, money } from '../lib/money';
import { CategoryEditor } from './CategoryEditor';

export type TransactionNode = TransactionsPageQuery['transactions']['edges'][number]['node'];

export function TransactionRow({
  tx,
  onChanged,
}: {
  tx: TransactionNode;
  onChanged(id: string, category: Category, categorySource: TransactionNode['categorySource']): void;
}) {
  const [editing, setEditing] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const restoreFocus = useRef(false);
  // Closing the editor puts focus back on the row's category button.
  useEffect(() => {
    if (!editing && restoreFocus.current) {
      restoreFocus.current = false;
      button.current?.focus();
    }
  }, [editing]);
  const amount = Number(tx.amount);
  return (
    <li
      className="tx"
      data-testid="transaction"
      data-id={tx.id}
      data-amount={tx.amount}
      data-category={tx.category}
      data-posted={tx.postedAt}
    >
      <div className="tx-main">
        <span className="tx-seller">{tx.seller}</span>
        <span className="tx-meta">
          <time dateTime={tx.postedAt}>{day(tx.postedAt)}</time> · {tx.account.displayName}
          {tx.pending && <span className="tag">pending</span>}
        </span>
      </div>
      <span className={`tx-amount ${amount < 0 ? 'inflow' : ''}`}>
        {amount < 0 ? `+${money(String(-amount))}` : money(tx.amount)}
        <span className="visually-hidden">{amount < 0 ? ' received' : ' spent'}</span>
      </span>
      <div className="tx-category">
        {editing ? (
          <CategoryEditor
            transactionId={tx.id}
            seller={tx.seller}
            category={tx.category}
            onDone={(result) => {
              restoreFocus.current = true;
              setEditing(false);
              if (result) onChanged(tx.id, result.category, result.categorySource as TransactionNode['categorySource']);
            }}
          />
        ) : (
          <button
            type="button"
            ref={button}
            className={`chip chip-${tx.category.toLowerCase()}`}
            onClick={() => setEditing(true)}
            data-testid="category-button"
          >
            {categoryLabel(tx.category)}
            <span className="visually-hidden">: change category of {tx.seller}</span>
          </button>
        )}
      </div>
    </li>
  );
}
