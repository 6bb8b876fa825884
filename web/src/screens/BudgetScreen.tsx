import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { DashboardDocument, SetIncomeDocument } from '../graphql/generated';
import { useLiveQuery } from '../app/useLiveQuery';
import { emit } from '../app/events';
import { currentMonth, monthLabel } from '../lib/month';
import { money, parseAmount } from '../lib/money';
import { BudgetRow } from '../components/BudgetRow';
import { UserErrorText } from '../components/UserErrors';

const INCOME_SOURCE = { USER: 'set by you', ESTIMATED: 'estimated from your deposits', NONE: 'not known yet' } as const;

export function BudgetScreen() {
  const month = currentMonth();
  const [{ data, error, fetching }] = useLiveQuery({ query: DashboardDocument, variables: { month } });
  const [, setIncome] = useMutation(SetIncomeDocument);
  const [incomeError, setIncomeError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const incomeId = useId();
  const budget = data?.budget;

  async function saveIncome(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const amount = parseAmount(String(new FormData(event.currentTarget).get('income') ?? ''));
    if (amount === null) {
      setIncomeError('Enter your monthly income, such as 5000.');
      return;
    }
    const result = await setIncome({ input: { monthlyIncome: amount } });
    const message = result.data?.setIncome.userErrors[0]?.message ?? result.error?.message ?? null;
    setIncomeError(message);
    if (!message) {
      setSaved(true);
      emit('data');
    }
  }

  const totalBudgeted = budget?.categories.reduce((sum, c) => sum + Number(c.budgeted), 0) ?? 0;
  const totalSpent = budget?.categories.reduce((sum, c) => sum + Number(c.spent), 0) ?? 0;

  return (
    <>
      <h1 tabIndex={-1}>Budget for {monthLabel(month, true)}</h1>
      {error && !data && (
        <p className="error" role="alert">
          The budget could not be loaded. {error.message}
        </p>
      )}
      {!data && fetching && <p role="status">Loading your budget…</p>}
      {budget && (
        <>
          <section className="card income" aria-labelledby="income-heading">
            <h2 id="income-heading">Income</h2>
            <p>
              Monthly income: <strong data-testid="income">{money(budget.monthlyIncome)}</strong> (
              {INCOME_SOURCE[budget.incomeSource]})
            </p>
            <form className="inline-form" onSubmit={saveIncome}>
              <label htmlFor={incomeId}>Monthly income</label>
              <input
                id={incomeId}
                name="income"
                inputMode="decimal"
                defaultValue={budget.monthlyIncome ?? ''}
                key={budget.monthlyIncome ?? ''}
                required
              />
              <button type="submit" className="primary">
                Save income
              </button>
            </form>
            {saved && <p role="status">Income saved; the template budget follows it.</p>}
            <UserErrorText message={incomeError} />
            <p className="summary" data-testid="budget-summary">
              Spent {money(String(totalSpent.toFixed(2)))} of {money(String(totalBudgeted.toFixed(2)))} budgeted this month.
            </p>
          </section>
          <section aria-labelledby="categories-heading">
            <h2 id="categories-heading">By category</h2>
            <ul className="budget-list">
              {budget.categories.map((line) => (
                <BudgetRow key={line.category} line={line} />
              ))}
            </ul>
          </section>
        </>
      )}
    </>
  );
}
