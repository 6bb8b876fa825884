// Who the virtual users are.
//
// Seeded mode (MONETA_LOADTEST_USERS=N): the users exist already
// (`moneta seed`): user{n}@seed.moneta.test, n = 1..N, all with
// MONETA_LOADTEST_PASSWORD, each with synced accounts. setup() only checks
// that the first one signs in; each VU signs its own users in lazily.
//
// Self-provisioning mode (no MONETA_LOADTEST_USERS): setup() registers a
// few fresh users (emails carry the run id), links one sandbox account
// each and waits until every account has synced.
import { sleep } from 'k6';
import { config, seeded } from './config.js';
import { gql, gqlBatch, clientIp } from './graphql.js';
import { Session, login, tokensOf } from './auth.js';

const SETUP = { phase: 'setup' };

export function seededEmail(n) {
  return `user${n}@seed.moneta.test`;
}

function hash(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

/// setup(): the users of this run. `count` is how many self-provisioned
/// users to register (ignored in seeded mode); `link: false` registers
/// them without a bank account (login.js needs none).
export function provisionUsers(count = config.setupUsers, { link = true } = {}) {
  const startedAt = Date.now();
  if (seeded) {
    if (config.signInAtSetup) {
      const tokens = signInSeeded(config.seededUsers);
      return { mode: 'seeded', count: config.seededUsers, runId: config.runId, tokens, startedAt, readyAt: Date.now() };
    }
    const first = 1 + (config.userOffset % config.seededUsers);
    const email = seededEmail(first);
    const tokens = login(email, config.password, { tags: SETUP, clientIp: clientIp(0xf00000) });
    if (!tokens) {
      throw new Error(`seeded mode: ${email} does not sign in with MONETA_LOADTEST_PASSWORD; was the database seeded (moneta seed)?`);
    }
    return { mode: 'seeded', count: config.seededUsers, runId: config.runId, startedAt, readyAt: Date.now() };
  }
  const salt = hash(config.runId) % 4096;
  const users = [];
  for (let i = 0; i < count; i++) {
    const email = `lt-${config.runId}-${i + 1}@loadtest.moneta.test`;
    const ip = clientIp(0xe00000 + salt * 256 + i);
    const r = gql('Register', { input: { email, password: config.password } },
      { payload: 'register', tags: SETUP, clientIp: ip });
    if (!r.ok) {
      const limited = (r.errors || []).some((e) => e.extensions && e.extensions.code === 'RATE_LIMITED');
      throw new Error(limited
        ? 'register is RATE_LIMITED (20 an hour per client address): start the server with MONETA_TRUSTED_PROXIES covering this machine (e.g. 127.0.0.1) so the X-Forwarded-For addresses count, or restart it'
        : `register ${email} failed: HTTP ${r.status} ${String(r.res.body).slice(0, 300)}`);
    }
    const p = r.payload;
    const session = { accessToken: p.accessToken, refreshToken: p.refreshToken, expiresAt: Date.parse(p.expiresAt) };
    if (!link) {
      users.push({ email, password: config.password, tokens: session, accountIds: [] });
      continue;
    }
    const linked = gql('LinkAccount',
      { input: { institution: 'sandbox', login: `loadtest-${i + 1}`, password: 'pass_good' } },
      { payload: 'linkAccount', token: session.accessToken, tags: SETUP, clientIp: ip });
    if (!linked.ok) throw new Error(`linkAccount for ${email} failed: ${String(linked.res.body).slice(0, 300)}`);
    users.push({ email, password: config.password, tokens: session, accountIds: [linked.payload.account.id] });
  }
  // Wait for the first sync of every account.
  const deadline = Date.now() + config.syncTimeoutS * 1000;
  let waiting = link ? users.slice() : [];
  while (waiting.length) {
    const still = [];
    for (const u of waiting) {
      const r = gql('SyncStatus', {}, { token: u.tokens.accessToken, tags: SETUP });
      const statuses = r.ok ? r.data.accounts.map((a) => a.status) : ['?'];
      if (statuses.some((s) => s === 'ERROR' || s === 'LOGIN_REQUIRED')) {
        throw new Error(`the sandbox account of ${u.email} is ${statuses.join(',')} after linking`);
      }
      if (!statuses.every((s) => s === 'ACTIVE')) still.push(u);
    }
    waiting = still;
    if (!waiting.length) break;
    if (Date.now() > deadline) {
      throw new Error(`${waiting.length} of ${users.length} accounts not synced after ${config.syncTimeoutS} s`);
    }
    sleep(1);
  }
  console.log(`setup: ${users.length} users registered${link ? ' and synced' : ''} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (run ${config.runId})`);
  return { mode: 'self', count: users.length, users, runId: config.runId, startedAt, readyAt: Date.now() };
}

/// MONETA_LOADTEST_SIGN_IN_AT_SETUP: signs in every seeded user a VU will
/// play (user indexes 0 .. min(n, VUs × USERS_PER_VU) - 1, see poolFor),
/// a few at a time, each from its own synthetic client address (30
/// sign-ins a minute per address); { index: tokens }.
function signInSeeded(n) {
  const count = Math.min(n, totalVus() * config.usersPerVu);
  const salt = hash(config.runId) % 4096;
  const tokens = {};
  const started = Date.now();
  const BATCH = 4;
  for (let k = 0; k < count; k += BATCH) {
    const calls = [];
    for (let i = k; i < Math.min(k + BATCH, count); i++) {
      const email = seededEmail(1 + ((config.userOffset + i) % n));
      calls.push(['Login', { input: { email, password: config.password } },
        { payload: 'login', tags: SETUP, clientIp: clientIp(0xd00000 + salt * 256 + (i % 256)) }]);
    }
    gqlBatch(calls).forEach((r, j) => {
      const t = r.ok ? tokensOf(r.payload) : null;
      if (!t) throw new Error(`seeded mode: signing in ${calls[j][1].input.email} at setup failed: HTTP ${r.status} ${String(r.res.body).slice(0, 300)}`);
      tokens[k + j] = t;
    });
  }
  console.log(`setup: ${count} seeded users signed in in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return tokens;
}

/// How many VUs the scenario runs (for spreading users over them).
export function totalVus() {
  return config.vus;
}

/// The users this VU plays: user indexes i (0-based) with i % vus == vu - 1,
/// at most `perVu` of them; a VU beyond the number of users shares one.
/// `owner` is true for exactly one VU per user (the one that may use the
/// setup() tokens and run per-user-rate-limited mutations).
export function poolFor(data, perVu = config.usersPerVu, vus = totalVus()) {
  const vu = __VU;
  const n = data.count;
  const pool = [];
  if (vus >= n) {
    pool.push((vu - 1) % n);
  } else {
    for (let i = vu - 1; i < n && pool.length < perVu; i += vus) pool.push(i);
  }
  return pool.map((i) => userRef(data, i, i % vus === vu - 1));
}

function userRef(data, i, owner) {
  if (data.mode === 'seeded') {
    const n = 1 + ((config.userOffset + i) % data.count);
    // Tokens signed in by setup() go to the one VU owning the user.
    const tokens = owner && data.tokens && data.tokens[i] ? data.tokens[i] : null;
    return { index: i, email: seededEmail(n), password: config.password, owner, tokens, accountIds: null };
  }
  const u = data.users[i];
  return { index: i, email: u.email, password: u.password, owner, tokens: owner ? u.tokens : null, accountIds: u.accountIds };
}

const sessions = {};

/// This VU's session of `user` (signed in on first use).
export function sessionFor(user) {
  let s = sessions[user.email];
  if (!s) {
    s = new Session(user.email, user.password, user.tokens);
    sessions[user.email] = s;
  }
  return s;
}

let pool = null;
let turn = 0;

/// The next of this VU's users in turn, signed in: `{ user, session,
/// token }`, or null (after a second's pause) when the sign-in failed.
export function nextSignedIn(data) {
  if (!pool) pool = poolFor(data);
  const user = pool[turn++ % pool.length];
  const session = sessionFor(user);
  const token = session.token();
  if (!token) {
    sleep(1);
    return null;
  }
  return { user, session, token };
}
