// Options shared by the scenarios: thresholds and the summary's stats.
import { config } from './config.js';

export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'];

/// Thresholds every scenario holds: every check passes, no HTTP failure,
/// no GraphQL error.
export function baseThresholds() {
  return {
    checks: ['rate==1'],
    http_req_failed: ['rate==0'],
    graphql_errors: ['count==0'],
    'http_reqs{phase:load}': ['count>0'],
  };
}

/// p95/p99 of `op`'s requests, in milliseconds before
/// MONETA_LOADTEST_LATENCY_SCALE; also exposes its request count.
/// `tags` ("page:2") narrows it to the requests of `op` with those tags.
export function latency(op, p95, p99, tags = '') {
  const s = config.latencyScale;
  const sel = tags ? `op:${op},${tags}` : `op:${op}`;
  return {
    [`http_req_duration{${sel}}`]: [`p(95)<${Math.round(p95 * s)}`, `p(99)<${Math.round(p99 * s)}`],
    [`http_reqs{${sel}}`]: ['count>=0'],
  };
}

/// Makes k6 keep `http_req_duration{phase:load}` (the load phase's
/// requests, setup()'s sign-ins left out) for the summary's
/// `requests.loadDuration`; a threshold that always holds.
export function loadDuration() {
  return { 'http_req_duration{phase:load}': ['max>=0'] };
}

/// The same scenario as `constantVus`, but each VU runs `iterations`
/// iterations and stops (at most MONETA_LOADTEST_DURATION).
export function perVuIterations(name, iterations, exec = 'default') {
  return {
    [name]: {
      executor: 'per-vu-iterations',
      exec,
      vus: config.vus,
      iterations,
      maxDuration: config.duration,
      gracefulStop: '30s',
      tags: { phase: 'load' },
    },
  };
}

/// One `constant-vus` scenario named `name`, from MONETA_LOADTEST_VUS and
/// MONETA_LOADTEST_DURATION.
export function constantVus(name, exec = 'default', extra = {}) {
  return {
    [name]: Object.assign({
      executor: 'constant-vus',
      exec,
      vus: config.vus,
      duration: config.duration,
      gracefulStop: '30s',
      tags: { phase: 'load' },
    }, extra),
  };
}
