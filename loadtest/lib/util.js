// Small helpers shared by the scenarios.

import { sleep } from 'k6';
import { config } from './config.js';

export const SPENDING_CATEGORIES = [
  'HOUSING', 'FOOD', 'GAS', 'SHOPPING', 'UTILITIES',
  'TRANSPORTATION', 'HEALTH', 'ENTERTAINMENT', 'TRAVEL', 'PERSONAL_CARE',
];

function pad(n) {
  return n < 10 ? `0${n}` : `${n}`;
}

/// The month in progress (UTC, as the server's clock), "YYYY-MM".
export function currentMonth(now = new Date()) {
  return `${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}`;
}

export function previousMonth(now = new Date()) {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return currentMonth(d);
}

export function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

/// Money strings ("12.34") to integer cents and back.
export function cents(decimal) {
  const neg = String(decimal).trim().startsWith('-');
  const [whole, frac = ''] = String(decimal).trim().replace('-', '').split('.');
  const c = Number(whole) * 100 + Number((frac + '00').slice(0, 2));
  return neg ? -c : c;
}

export function money(c) {
  const abs = Math.abs(Math.round(c));
  return `${c < 0 ? '-' : ''}${Math.floor(abs / 100)}.${pad(abs % 100)}`;
}

/// A user's pause between actions (`MONETA_LOADTEST_THINK` seconds, ±50 %).
export function think() {
  if (config.thinkS > 0) sleep(config.thinkS * (0.5 + Math.random()));
}

/// Whether a GraphQL answer says the access token no longer holds.
export function unauthenticated(r) {
  return (r.errors || []).some((e) => e.extensions && e.extensions.code === 'UNAUTHENTICATED');
}
