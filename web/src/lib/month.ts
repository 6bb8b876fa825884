// Months as the API writes them: `YYYY-MM`, in UTC.
export function currentMonth(now: Date = new Date()): string {
  return format(now.getUTCFullYear(), now.getUTCMonth());
}

export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + delta;
  return format(Math.floor(index / 12), index % 12);
}

function format(year: number, monthIndex: number): string {
  return `${year}-${String(monthIndex + 1).padStart(2, '0')}`;
}

const LABEL = new Intl.DateTimeFormat('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });
const LONG = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });

export function monthLabel(month: string, long = false): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return (long ? LONG : LABEL).format(new Date(Date.UTC(y, m - 1, 1)));
}
