// Baseline: the bare poem handler (`bare_floor`, a cargo example), which
// answers every POST with bytes stored at one Redis key: one route, one
// Redis GET, the bytes back. `loadtest/run` stores there a real `Dashboard`
// response of a seeded user and sends here the same request `reads.js`
// sends to /graphql (same body, same headers), for the same duration and
// VUs: reads req/s / this req/s is how much of the floor the API keeps.
//
//   MONETA_LOADTEST_BASELINE_URL=http://127.0.0.1:PORT/graphql \
//   MONETA_LOADTEST_BASELINE_REQUEST=/path/request.json \
//   MONETA_LOADTEST_BASELINE_RESPONSE=/path/response.json \
//   k6 run loadtest/baseline.js
//
// MONETA_LOADTEST_BASELINE_REQUEST: the request body (JSON) to POST;
// MONETA_LOADTEST_BASELINE_RESPONSE (optional): the bytes every answer
// must equal; MONETA_LOADTEST_BASELINE_TOKEN (optional): sent as
// `Authorization: Bearer`, as the real request has one. Duration, VUs and
// the JSON summary as every scenario (MONETA_LOADTEST_DURATION, _VUS,
// _SUMMARY).
import http from 'k6/http';
import { check } from 'k6';
import { config, env } from './lib/config.js';
import { constantVus, SUMMARY_TREND_STATS } from './lib/options.js';
import { makeSummary } from './lib/summary.js';
import { vuClientIp } from './lib/graphql.js';

const URL = env('MONETA_LOADTEST_BASELINE_URL', `${config.baseUrl}/graphql`);
const requestPath = env('MONETA_LOADTEST_BASELINE_REQUEST', '');
if (!requestPath) throw new Error('MONETA_LOADTEST_BASELINE_REQUEST: the path of the request body to send');
const BODY = open(requestPath);
const responsePath = env('MONETA_LOADTEST_BASELINE_RESPONSE', '');
const EXPECTED = responsePath ? open(responsePath) : null;
const TOKEN = env('MONETA_LOADTEST_BASELINE_TOKEN', '');
const OP = env('MONETA_LOADTEST_BASELINE_OP', 'Dashboard');

export const options = {
  scenarios: constantVus('baseline'),
  summaryTrendStats: SUMMARY_TREND_STATS,
  thresholds: {
    checks: ['rate==1'],
    http_req_failed: ['rate==0'],
    'http_reqs{phase:load}': ['count>0'],
    // Declared so that the summary reports the operation's row.
    [`http_req_duration{op:${OP}}`]: ['max>=0'],
    [`http_reqs{op:${OP}}`]: ['count>=0'],
  },
};

export function setup() {
  return { mode: 'baseline', count: 0, runId: config.runId, startedAt: Date.now(), readyAt: Date.now() };
}

const headers = {
  'Content-Type': 'application/json',
  Accept: 'application/graphql-response+json, application/json',
};
if (TOKEN) headers.Authorization = `Bearer ${TOKEN}`;

export default function () {
  if (config.spreadClients) headers['X-Forwarded-For'] = vuClientIp();
  const res = http.post(URL, BODY, {
    headers,
    tags: { op: OP, name: `bare ${OP}` },
    responseType: 'text',
  });
  check(res, {
    'bare: HTTP 200': (r) => r.status === 200,
    'bare: the stored bytes': (r) => EXPECTED === null || r.body === EXPECTED,
  });
}

export const handleSummary = makeSummary('baseline');
