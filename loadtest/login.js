// Login under load: argon2id hashing is the cost (the server computes
// MONETA_PASSWORD_HASH_CONCURRENCY hashes at once, one per core by
// default), so its thresholds are looser than the reads'.
//
// Each iteration signs one user in with `Login` (the next of the VU's
// share of the users, so that all of them sign in over the run); a
// quarter of them then rotate the new pair once with `Refresh`.
//
// `login` allows 30 attempts a minute per client address: each iteration
// sends its own synthetic X-Forwarded-For address (256 per VU), which the
// server believes only when started with MONETA_TRUSTED_PROXIES covering
// the load generator (e.g. 127.0.0.1). Without it every VU is one client
// and the run ends in RATE_LIMITED errors after 30 sign-ins.
//
//   k6 run loadtest/login.js        (settings: loadtest/README.md)
import { sleep } from 'k6';
import { config } from './lib/config.js';
import { vuClientIp } from './lib/graphql.js';
import { login, refresh } from './lib/auth.js';
import { provisionUsers, seededEmail } from './lib/users.js';
import { baseThresholds, latency, constantVus, SUMMARY_TREND_STATS } from './lib/options.js';
import { makeSummary } from './lib/summary.js';

const REFRESH_SHARE = 0.25;

export const options = {
  scenarios: constantVus('login'),
  setupTimeout: '300s',
  summaryTrendStats: SUMMARY_TREND_STATS,
  thresholds: Object.assign(
    baseThresholds(),
    latency('Login', 1000, 2000),
    // Rotations wait for the cores the hashing keeps busy.
    latency('Refresh', 500, 1000),
  ),
};

export function setup() {
  return provisionUsers(undefined, { link: false });
}

let turn = 0;

function userAt(data, i) {
  if (data.mode === 'seeded') {
    return { email: seededEmail(1 + ((config.userOffset + i) % data.count)), password: config.password };
  }
  return data.users[i % data.count];
}

export default function (data) {
  const i = (__VU - 1) + turn * config.vus;
  const ip = vuClientIp(turn);
  turn++;
  const user = userAt(data, i);
  const tokens = login(user.email, user.password, { clientIp: ip });
  if (tokens && Math.random() < REFRESH_SHARE) refresh(tokens.refreshToken, { clientIp: ip });
  if (config.thinkS > 0) sleep(config.thinkS * (0.5 + Math.random()));
}

export const handleSummary = makeSummary('login');
