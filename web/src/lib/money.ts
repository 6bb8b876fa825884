// Money comes as decimal strings; it is only formatted here, never summed
// for storage. Amounts typed by the user go back as strings.
const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

export function money(amount: string | null | undefined): string {
  if (amount == null) return '—';
  const n = Number(amount);
  return Number.isFinite(n) ? USD.format(n) : amount;
}

const USD_WHOLE = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });

/** Whole dollars, for chart axes. */
export function moneyWhole(amount: number): string {
  return USD_WHOLE.format(amount);
}

/** A non-negative amount with at most two decimals, as the API takes it. */
export function parseAmount(input: string): string | null {
  const trimmed = input.trim().replace(/[$,\s]/g, '');
  return /^\d{1,12}(\.\d{1,2})?$/.test(trimmed) ? trimmed : null;
}

const DATE = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
const DATETIME = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });

export function day(iso: string): string {
  return DATE.format(new Date(iso));
}

export function dateTime(iso: string | null | undefined): string {
  return iso ? DATETIME.format(new Date(iso)) : 'never';
}
