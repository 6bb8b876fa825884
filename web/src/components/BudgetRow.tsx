// One category of the month's budget: a bar (decorative; the same facts
// are in its text), the status in words, and an inline amount editor.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { ResetBudgetDocument, SetBudgetDocument, type DashboardQuery } from '../graphql/generated';
import { categoryLabel } from '../lib/categories';
import { money, parseAmount } from '../lib/money';
import { emit } from '../app/events';
import { UserErrorText } from './UserErrors';

type Line = DashboardQuery['budget']['categories'][number];

const STATUS_TEXT: Record<Line['status'], string> = {
  UNDER: 'Under budget',
  APPROACHING: 'Approaching',
  EXCEEDED: 'Exceeded',
};

export function BudgetRow({ line }: { line: Line }) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [, setBudget] = useMutation(SetBudgetDocument);
  const [, resetBudget] = useMutation(ResetBudgetDocument);
  const editButton = useRef<HTMLButtonElement>(null);
  const restoreFocus = useRef(false);
  useEffect(() => {
    if (!editing && restoreFocus.current) {
      restoreFocus.current = false;
      editButton.current?.focus();
    }
  }, [editing]);
  const inputId = useId();
  const label = categoryLabel(line.category);
  const budgeted = Number(line.budgeted);
  const spent = Number(line.spent);
  const ratio = budgeted > 0 ? spent / budgeted : spent > 0 ? 1 : 0;
  const remaining = Number(line.remaining);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const amount = parseAmount(String(new FormData(event.currentTarget).get('amount') ?? ''));
    if (amount === null) {
      setError('Enter an amount such as 250 or 250.50.');
      return;
    }
    const result = await setBudget({ input: { category: line.category, amount } });
    const userError = result.data?.setBudget.userErrors[0]?.message ?? result.error?.message ?? null;
    setError(userError);
    if (!userError) {
      restoreFocus.current = true;
      setEditing(false);
      emit('data');
    }
  }

  async function reset() {
    const result = await resetBudget({ input: { category: line.category } });
    setError(result.data?.resetBudget.userErrors[0]?.message ?? result.error?.message ?? null);
    emit('data');
  }

  return (
    <li className={`budget-row status-${line.status.toLowerCase()}`} data-category={line.category}>
      <div className="budget-head">
        <h3>{label}</h3>
        <span className="status-label" data-testid="budget-status">
          {STATUS_TEXT[line.status]}
        </span>
      </div>
      <div className="bar" aria-hidden="true">
        <div className="bar-fill" style={{ width: `${Math.min(ratio, 1) * 100}%` }} />
      </div>
      <p className="budget-figures" data-testid="budget-figures">
        Spent <strong>{money(line.spent)}</strong> of {money(line.budgeted)}
        {' · '}
        {remaining >= 0 ? `${money(line.remaining)} left` : `${money(String(-remaining))} over`}
        {line.source === 'OVERRIDE' && <span className="tag">your amount</span>}
      </p>
      {editing ? (
        <form className="inline-form" onSubmit={save}>
          <label htmlFor={inputId}>Budget for {label}</label>
          <input id={inputId} name="amount" inputMode="decimal" defaultValue={line.budgeted} autoFocus required />
          <button type="submit" className="primary">
            Save
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              restoreFocus.current = true;
              setEditing(false);
            }}
          >
            Cancel
          </button>
        </form>
      ) : (
        <div className="row-actions">
          <button type="button" className="secondary" ref={editButton} onClick={() => setEditing(true)}>
            Edit<span className="visually-hidden"> {label} budget</span>
          </button>
          {line.source === 'OVERRIDE' && (
            <button type="button" className="link-button" onClick={() => void reset()}>
              Reset<span className="visually-hidden"> {label} budget</span> to template
            </button>
          )}
        </div>
      )}
      <UserErrorText message={error} />
    </li>
  );
}
