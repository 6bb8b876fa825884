// Spending by category over the last six months: three SpendingReport
// queries (each a month and the one before it), as a chart and a table.
import { useMemo } from 'react';
import { SpendingReportDocument, type Category, type SpendingReportQuery } from '../graphql/generated';
import { useLiveQuery } from '../app/useLiveQuery';
import { categoryLabel } from '../lib/categories';
import { currentMonth, monthLabel, shiftMonth } from '../lib/month';
import { money } from '../lib/money';
import { SpendingChart, type SpendingSeries } from '../components/SpendingChart';

const MONTHS = 6;

function useReport(month: string) {
  const [result] = useLiveQuery({ query: SpendingReportDocument, variables: { month, previous: shiftMonth(month, -1) } });
  return result;
}

export function SpendingScreen() {
  const now = currentMonth();
  // Newest pair first: (now, now-1), (now-2, now-3), (now-4, now-5).
  const a = useReport(now);
  const b = useReport(shiftMonth(now, -2));
  const c = useReport(shiftMonth(now, -4));
  const reports: (SpendingReportQuery | undefined)[] = [a.data, b.data, c.data];
  const ready = reports.every(Boolean);
  const failed = a.error ?? b.error ?? c.error;

  const series = useMemo<SpendingSeries | null>(() => {
    if (!ready) return null;
    const months = Array.from({ length: MONTHS }, (_, i) => shiftMonth(now, i - (MONTHS - 1)));
    const byMonth = new Map<string, SpendingReportQuery['current']>();
    reports.forEach((r, i) => {
      if (!r) return;
      byMonth.set(shiftMonth(now, -2 * i), r.current);
      byMonth.set(shiftMonth(now, -2 * i - 1), r.previous);
    });
    const amounts: Record<string, number[]> = {};
    const categories: Category[] = [];
    months.forEach((m, mi) => {
      for (const row of byMonth.get(m) ?? []) {
        if (!amounts[row.category]) {
          amounts[row.category] = new Array<number>(MONTHS).fill(0);
          categories.push(row.category);
        }
        const list = amounts[row.category];
        if (list) list[mi] = Number(row.amount);
      }
    });
    const used = categories.filter((cat) => (amounts[cat] ?? []).some((v) => v !== 0));
    return { months, labels: months.map((m) => monthLabel(m)), categories: used, amounts };
  }, [ready, a.data, b.data, c.data, now]);

  const totals = series?.months.map((_, mi) => series.categories.reduce((s, cat) => s + (series.amounts[cat]?.[mi] ?? 0), 0));
  const description = series
    ? `Stacked bar chart of spending by category, ${series.labels[0]} to ${series.labels[MONTHS - 1]}. Totals: ${series.labels
        .map((l, i) => `${l} ${money(String(totals?.[i] ?? 0))}`)
        .join(', ')}. The table below has every figure.`
    : 'Spending chart';

  return (
    <>
      <h1 tabIndex={-1}>Spending by category</h1>
      <p className="lede">The last six months, pending transactions included.</p>
      {failed && !ready && (
        <p className="error" role="alert">
          Spending could not be loaded. {failed.message}
        </p>
      )}
      {!ready && !failed && <p role="status">Loading spending…</p>}
      {series && (
        <>
          <section className="card" aria-label="Chart">
            <SpendingChart series={series} description={description} />
          </section>
          <section className="card table-card" aria-labelledby="spending-table-heading">
            <h2 id="spending-table-heading">Figures</h2>
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Spending table, scrolls sideways">
              <table data-testid="spending-table">
                <thead>
                  <tr>
                    <th scope="col">Category</th>
                    {series.labels.map((l) => (
                      <th scope="col" key={l}>
                        {l}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {series.categories.map((cat) => (
                    <tr key={cat} data-category={cat}>
                      <th scope="row">{categoryLabel(cat)}</th>
                      {(series.amounts[cat] ?? []).map((v, i) => (
                        <td key={i}>{money(String(v))}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">Total</th>
                    {(totals ?? []).map((v, i) => (
                      <td key={i}>{money(String(v.toFixed(2)))}</td>
                    ))}
                  </tr>
                </tfoot>
              </table>
            </div>
          </section>
        </>
      )}
    </>
  );
}
