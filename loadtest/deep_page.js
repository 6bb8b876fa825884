// Deep page: a user scrolling far down their transactions. Each iteration
// opens the first page of `TransactionsPage` (20, unfiltered: the cached
// page) and follows `pageInfo.endCursor` page after page down to page
// MONETA_LOADTEST_DEEP_PAGE (10: transactions 181..200 at 20 a page;
// `last`: to the end of the history); that page's latency is the Trend
// `deep_page_duration`. A history that ends before the page asked for
// gives its last page instead (counted in `deep_page_short`);
// `deep_page_depth` is the page number measured.
//
// Requests are tagged `page:1` (the first page), `page:mid` (the ones on
// the way) and `page:deep` (the one measured, when it is not page 1).
//
//   k6 run loadtest/deep_page.js    (settings: loadtest/README.md)
import { Counter, Trend } from 'k6/metrics';
import { config, env, int } from './lib/config.js';
import { gql } from './lib/graphql.js';
import { nextSignedIn, provisionUsers } from './lib/users.js';
import { baseThresholds, latency, loadDuration, constantVus, SUMMARY_TREND_STATS } from './lib/options.js';
import { makeSummary } from './lib/summary.js';
import { unauthenticated } from './lib/util.js';

const PAGE_SIZE = int('MONETA_LOADTEST_PAGE_SIZE', 20);
const DEPTH_SETTING = env('MONETA_LOADTEST_DEEP_PAGE', '10');
const TO_THE_END = DEPTH_SETTING === 'last';
const DEPTH = TO_THE_END ? Infinity : Number(DEPTH_SETTING);
if (!TO_THE_END && !(Number.isInteger(DEPTH) && DEPTH >= 2)) {
  throw new Error(`MONETA_LOADTEST_DEEP_PAGE must be an integer >= 2 or 'last', not '${DEPTH_SETTING}'`);
}

const deepPageDuration = new Trend('deep_page_duration', true);
const deepPageDepth = new Trend('deep_page_depth');
const deepPageShort = new Counter('deep_page_short');

const s = config.latencyScale;
export const options = {
  scenarios: constantVus('deep_page'),
  setupTimeout: '300s',
  summaryTrendStats: SUMMARY_TREND_STATS,
  thresholds: Object.assign(
    baseThresholds(),
    loadDuration(),
    latency('TransactionsPage', 50, 100, 'page:1'),
    // Beyond the first page nothing is cached (as reads.js's page 2).
    latency('TransactionsPage', 100, 200, 'page:mid'),
    latency('TransactionsPage', 100, 200, 'page:deep'),
    {
      deep_page_duration: [`p(95)<${Math.round(100 * s)}`, `p(99)<${Math.round(200 * s)}`],
    },
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
  let after = null;
  for (let page = 1; ; page++) {
    const tag = page === 1 ? '1' : page === DEPTH ? 'deep' : 'mid';
    const vars = after ? { first: PAGE_SIZE, after } : { first: PAGE_SIZE };
    const r = gql('TransactionsPage', vars, { token, tags: { page: tag } });
    if (unauthenticated(r)) {
      session.reset();
      return;
    }
    if (!r.ok) return;
    const info = r.data.transactions.pageInfo;
    const end = !info.hasNextPage || !info.endCursor;
    if (page === DEPTH || end) {
      deepPageDuration.add(r.res.timings.duration);
      deepPageDepth.add(page);
      if (page < DEPTH && !TO_THE_END) deepPageShort.add(1);
      return;
    }
    after = info.endCursor;
  }
}

export const handleSummary = makeSummary('deep_page', ['deep_page_duration', 'deep_page_depth', 'deep_page_short']);
