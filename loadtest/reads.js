// Reads: a client's home-screen session, as the mobile and web apps send
// it (operation documents of contract/operations.graphql, verbatim).
//
// Every session opens the home screen (`Dashboard`: me, the month's
// `budget`, accounts, the 5 newest unread notifications) and the first
// page of transactions (`TransactionsPage`, 20, unfiltered: the cached
// first page); half look at the spending report (`SpendingReport`:
// `monthlySpending` of this month and the last); a quarter open the
// notification list (`Notifications`); a fifth scroll to the second page
// of transactions with the first page's cursor.
//
// MONETA_LOADTEST_READS_COLD=1 (loadtest/run's cost curve, "uncached"):
// each VU visits each of its users once and stops (per-vu-iterations,
// MONETA_LOADTEST_USERS_PER_VU iterations, at most the duration); on
// users no one read since the cache was last filled every cached view is
// a miss, so the latency limits of the cached views are those of an
// uncached read. Every cold visit opens the spending report, so a warm
// pass on the same users afterwards finds every cached view cached.
//
//   k6 run loadtest/reads.js        (settings: loadtest/README.md)
import { config, env, int } from './lib/config.js';
import { gql } from './lib/graphql.js';
import { nextSignedIn, provisionUsers } from './lib/users.js';
import { baseThresholds, latency, loadDuration, constantVus, perVuIterations, SUMMARY_TREND_STATS } from './lib/options.js';
import { makeSummary } from './lib/summary.js';
import { currentMonth, previousMonth, think, unauthenticated } from './lib/util.js';

const PAGE_SIZE = int('MONETA_LOADTEST_PAGE_SIZE', 20);
const COLD = env('MONETA_LOADTEST_READS_COLD', '0') !== '0';
const MIX = {
  spendingReport: COLD ? 1 : 0.5,
  notifications: 0.25,
  secondPage: 0.2,
};

// p95/p99 limits of a cached view (cold: of an uncached read).
const CACHED = COLD ? [100, 200] : [50, 100];

export const options = {
  scenarios: COLD ? perVuIterations('reads', config.usersPerVu) : constantVus('reads'),
  setupTimeout: '300s',
  summaryTrendStats: SUMMARY_TREND_STATS,
  thresholds: Object.assign(
    baseThresholds(),
    loadDuration(),
    latency('Dashboard', ...CACHED),
    // The first page is a cached read; the second is not.
    latency('TransactionsPage', ...CACHED, 'page:1'),
    latency('TransactionsPage', 100, 200, 'page:2'),
    latency('SpendingReport', ...CACHED),
    latency('Notifications', 50, 100),
    // The VUs' own sign-ins (seeded mode) and token rotations.
    latency('Login', 1000, 2000),
    latency('Refresh', 200, 500),
  ),
};

export function setup() {
  return provisionUsers();
}

export default function (data) {
  const next = nextSignedIn(data);
  if (!next) return;
  const { session, token } = next;
  const month = currentMonth();
  const dash = gql('Dashboard', { month }, { token });
  if (unauthenticated(dash)) {
    session.reset();
    return;
  }
  think();
  const page = gql('TransactionsPage', { first: PAGE_SIZE }, { token, tags: { page: '1' } });
  think();
  if (Math.random() < MIX.spendingReport) {
    gql('SpendingReport', { month, previous: previousMonth() }, { token });
    think();
  }
  if (Math.random() < MIX.notifications) {
    gql('Notifications', { first: 20 }, { token });
    think();
  }
  const info = page.ok && page.data.transactions.pageInfo;
  if (info && info.hasNextPage && Math.random() < MIX.secondPage) {
    gql('TransactionsPage', { first: PAGE_SIZE, after: info.endCursor }, { token, tags: { page: '2' } });
    think();
  }
}

export const handleSummary = makeSummary('reads');
