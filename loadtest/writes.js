// Writes: what a user changes from the app.
//
// Each iteration is one write by one of the VU's users:
//  - 60 % `Recategorize` (setTransactionCategory) of one of the user's
//    recent transactions (ids from the first `TransactionsPage` of 50,
//    fetched once per user) to another spending category;
//  - 35 % `SetBudget` of a random spending category, to an amount above
//    what was spent (so these writes do not use up the once-per-month
//    budget alerts that alerts.js needs);
//  - 5 % `RefreshAccount` of the user's account (a sync job): only by the
//    VU that owns the user and at most once per
//    MONETA_LOADTEST_REFRESH_INTERVAL seconds per user (the server allows
//    60 an hour); otherwise a SetBudget instead.
// The first use of a user reads `Dashboard` (its budget and accounts).
//
//   k6 run loadtest/writes.js        (settings: loadtest/README.md)
import { sleep } from 'k6';
import { config, int } from './lib/config.js';
import { gql } from './lib/graphql.js';
import { nextSignedIn, provisionUsers } from './lib/users.js';
import { baseThresholds, latency, constantVus, SUMMARY_TREND_STATS } from './lib/options.js';
import { makeSummary } from './lib/summary.js';
import { SPENDING_CATEGORIES, cents, currentMonth, money, pick, think } from './lib/util.js';

const REFRESH_INTERVAL_MS = int('MONETA_LOADTEST_REFRESH_INTERVAL', 65) * 1000;
const REFRESH_SHARE = Number(__ENV.MONETA_LOADTEST_REFRESH_SHARE || '0.05');
const MIX = { recategorize: 0.6, setBudget: 0.4 - REFRESH_SHARE }; // the rest: refreshAccount

export const options = {
  scenarios: constantVus('writes'),
  setupTimeout: '300s',
  summaryTrendStats: SUMMARY_TREND_STATS,
  thresholds: Object.assign(
    baseThresholds(),
    latency('Recategorize', 150, 300),
    latency('SetBudget', 150, 300),
    latency('RefreshAccount', 150, 300),
    // Reads each user needs once before writing.
    latency('Dashboard', 200, 500),
    latency('TransactionsPage', 200, 500),
    latency('Login', 1000, 2000),
    latency('Refresh', 200, 500),
  ),
};

export function setup() {
  return provisionUsers();
}

const state = {}; // per user email: { txs, accounts, lines, lastRefresh }

function stateOf(user, token) {
  let st = state[user.email];
  if (st) return st;
  const dash = gql('Dashboard', { month: currentMonth() }, { token });
  const page = gql('TransactionsPage', { first: 50 }, { token });
  if (!dash.ok || !page.ok) return null;
  st = {
    lines: {},
    accounts: user.accountIds || dash.data.accounts.map((a) => a.id),
    txs: page.data.transactions.edges.map((e) => ({ id: e.node.id, category: e.node.category })),
    lastRefresh: 0,
  };
  for (const l of dash.data.budget.categories) st.lines[l.category] = l;
  state[user.email] = st;
  return st;
}

function recategorize(st, token) {
  if (!st.txs.length) return setBudget(st, token);
  const tx = pick(st.txs);
  const category = pick(SPENDING_CATEGORIES.filter((c) => c !== tx.category));
  const r = gql('Recategorize', { input: { transactionId: tx.id, category } },
    { token, payload: 'setTransactionCategory' });
  if (r.ok) tx.category = r.payload.transaction.category;
}

function setBudget(st, token) {
  const category = pick(SPENDING_CATEGORIES);
  const line = st.lines[category];
  const floor = line ? Math.max(cents(line.spent), cents(line.budgeted)) : 0;
  // Above what was spent: 120-200 % of it, plus up to 50.00.
  const amount = money(Math.ceil(floor * (1.2 + 0.8 * Math.random())) + Math.floor(Math.random() * 5000) + 100);
  const r = gql('SetBudget', { input: { category, amount } }, { token, payload: 'setBudget' });
  if (r.ok) for (const l of r.payload.budget.categories) st.lines[l.category] = l;
}

function refreshAccount(user, st, token) {
  const now = Date.now();
  if (!user.owner || !st.accounts.length || now - st.lastRefresh < REFRESH_INTERVAL_MS) {
    return setBudget(st, token);
  }
  st.lastRefresh = now;
  gql('RefreshAccount', { input: { accountId: pick(st.accounts) } }, { token, payload: 'refreshAccount' });
}

export default function (data) {
  const next = nextSignedIn(data);
  if (!next) return;
  const { user, token } = next;
  const st = stateOf(user, token);
  if (!st) {
    sleep(1);
    return;
  }
  const roll = Math.random();
  if (roll < MIX.recategorize) recategorize(st, token);
  else if (roll < MIX.recategorize + MIX.setBudget) setBudget(st, token);
  else refreshAccount(user, st, token);
  think();
}

export const handleSummary = makeSummary('writes');
