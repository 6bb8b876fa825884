// The dashboard's end-to-end journey in a real browser (Debian's Chromium
// through playwright-core) against the real server on MariaDB and Redis:
// sign up → link a sandbox account → transactions appear live → change a
// category → the month's spending and budget change → a budget below the
// spending → an alert toast, live → the list's second page → the access
// token expires and refreshes unseen → sign out (and a revoked family
// signs out). axe on every main screen at desktop and phone widths;
// screenshots into web/screenshots/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { Harness } from './harness.mjs';
import { startServer } from './server.mjs';

const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = resolve(web, process.env.MONETA_BIN ?? '../target/release/moneta');
const TTL = Number(process.env.E2E_TOKEN_TTL_SECS ?? 20);
// Production's policy: only the registered documents run.
const TRUST = process.env.E2E_TRUSTED_DOCUMENTS ?? 'enforce';
const SHOTS = join(web, 'screenshots');
const LONG = 60_000;
/** Clock skew the server tolerates past a token's `exp` (core auth). */
const SERVER_LEEWAY_MS = 30_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const h = new Harness();
const { allDocuments } = await import('../scripts/documents.mjs');
const DOCS = new Map(allDocuments().map((d) => [d.name, d]));

/** A registered operation by id, straight to the server (as an attacker or a second client would). */
function gql(name, variables, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`${server.base}/graphql`, {
    method: 'POST', headers,
    body: JSON.stringify({ documentId: `sha256:${DOCS.get(name).id}`, operationName: name, variables }),
  }).then((r) => r.json());
}
const cleanups = [];
let server;

function monthNow() {
  const d = new Date();
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

async function until(what, fn, timeout = LONG) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every GraphQL request the page sends, decoded. */
function recordOperations(page, list) {
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (!url.pathname.endsWith('/graphql')) return;
    let op = null;
    if (req.method() === 'GET') {
      op = { name: url.searchParams.get('operationName'), variables: JSON.parse(url.searchParams.get('variables') ?? '{}'), method: 'GET' };
    } else {
      try { const b = req.postDataJSON(); op = { name: b.operationName, variables: b.variables, method: 'POST', byId: !!b.documentId && !b.query }; } catch { /* not JSON */ }
    }
    if (op) {
      op.at = Date.now();
      op.auth = req.headers().authorization ?? null;
      list.push(op);
      req.response().then((res) => res?.json().then((body) => { op.body = body; op.status = res.status(); })).catch(() => {});
    }
  });
}

async function axe(page, screen) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    throw new Error(`axe on ${screen}: ${bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`).join('\n')}`);
  }
  return result.violations.length;
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), animations: 'disabled' });
}

async function go(page, label, heading) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${label}`) }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: LONG });
}

async function signUp(page, email, password) {
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { level: 1, name: /^Budget for/ }).waitFor({ timeout: LONG });
}

async function signIn(page, email, password) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: /^Budget for/ }).waitFor({ timeout: LONG });
}

async function budgetLine(page, category) {
  const row = page.locator(`.budget-row[data-category="${category}"]`);
  await row.waitFor({ timeout: LONG });
  const figures = await row.getByTestId('budget-figures').innerText();
  const status = await row.getByTestId('budget-status').innerText();
  const spent = Number((figures.match(/Spent \$([\d,.]+)/)?.[1] ?? '0').replace(/,/g, ''));
  return { figures, status, spent };
}

async function spendingCell(page, category) {
  await page.getByTestId('spending-table').waitFor({ timeout: LONG });
  const row = page.locator(`[data-testid="spending-table"] tbody tr[data-category="${category}"]`);
  if (!(await row.count())) return 0;
  const text = await row.locator('td').last().innerText();
  return Number(text.replace(/[$,]/g, ''));
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  console.log(`moneta e2e: ${BIN}`);
  await h.step('start the server on a fresh MariaDB database and Redis prefix', async () => {
    server = await startServer({ bin: BIN, ttlSecs: TTL, trustedDocuments: TRUST });
    cleanups.push(() => server.stop());
    return `${server.base}, trusted documents ${TRUST}, access tokens live ${server.ttlSecs} s`;
  });

  await h.step('the server knows every contract document by the id the build computed', async () => {
    const unknown = [];
    const docs = [...DOCS.values()];
    for (const d of docs) {
      const body = await gql(d.name, {});
      const codes = (body.errors ?? []).map((e) => e.extensions?.code);
      if (codes.includes('PERSISTED_QUERY_NOT_FOUND') || codes.includes('UNTRUSTED_DOCUMENT')) unknown.push(`${d.name} (${d.source})`);
    }
    if (unknown.length) throw new Error(`ids unknown to the server: ${unknown.join(', ')}`);
    return `${docs.length}/${docs.length} registered`;
  });

  // The app as it ships: from the binary, which embeds web/dist (only a
  // developer points E2E_APP_URL elsewhere, e.g. at `vite preview`).
  const appUrl = process.env.E2E_APP_URL ?? server.base;
  if (!process.env.E2E_APP_URL) {
    await h.step('the binary serves the committed bundle', async () => {
      const served = await (await fetch(appUrl, { headers: { accept: 'text/html' } })).text();
      const built = readFileSync(join(web, 'dist/index.html'), 'utf8');
      if (served !== built) throw new Error('the binary serves another index.html than web/dist has: rebuild the binary after npm run build');
      return 'index.html as in web/dist';
    });
  }

  await h.step('the app is served with the strict CSP', async () => {
    const res = await fetch(appUrl, { headers: { accept: 'text/html' } });
    const csp = res.headers.get('content-security-policy') ?? '';
    for (const part of ["script-src 'self'", "style-src 'self'", "connect-src 'self'", "default-src 'self'"]) {
      if (!csp.includes(part)) throw new Error(`no ${part} in the CSP header: “${csp}”`);
    }
    const deep = await fetch(`${appUrl}/transactions`, { headers: { accept: 'text/html' } });
    if (!deep.ok || !(await deep.text()).includes('<div id="root">')) throw new Error(`/transactions is not the app (HTTP ${deep.status})`);
    return `${csp.split(';').length} directives; app routes answer index.html`;
  });

  const profile = mkdtempSync(join(tmpdir(), 'moneta-chromium-'));
  cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
  const browserContext = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: DESKTOP,
  });
  cleanups.unshift(() => browserContext.close());
  const browser = browserContext.browser();
  const page = browserContext.pages()[0] ?? (await browserContext.newPage());
  h.watch(page, 'desktop');
  const ops = [];
  recordOperations(page, ops);
  const sockets = [];
  const pushed = { accountSynced: 0, budgetAlerts: 0 };
  page.on('websocket', (ws) => {
    sockets.push({ url: ws.url(), at: Date.now() });
    ws.on('framereceived', ({ payload }) => {
      const text = String(payload);
      if (text.includes('"accountSynced"')) pushed.accountSynced++;
      if (text.includes('"budgetAlerts"')) pushed.budgetAlerts++;
    });
  });

  const email = `e2e-${Date.now().toString(36)}@example.com`;
  const password = 'correct horse battery staple';
  const month = monthNow();

  await h.step('sign-in screen (axe, screenshot)', async () => {
    await page.goto(appUrl);
    await page.getByRole('heading', { level: 1, name: 'Sign in to Moneta' }).waitFor({ timeout: LONG });
    const minor = await axe(page, 'sign in (desktop)');
    await shot(page, 'signin-desktop');
    return `${minor} minor axe findings`;
  });

  await h.step('sign up', async () => {
    await signUp(page, email, password);
    const register = ops.find((o) => o.name === 'Register');
    if (!register?.byId) throw new Error('Register was not sent by document id');
  });

  // A second tab of the same user watches the transaction list while the
  // first links the account: the rows must arrive without a reload.
  const watcherContext = browser ? await browser.newContext({ viewport: DESKTOP }) : browserContext;
  const watcher = await watcherContext.newPage();
  h.watch(watcher, 'watcher');
  let watcherNavigations = 0;
  await h.step('a second tab signs in and opens the empty transaction list', async () => {
    await watcher.goto(appUrl);
    await signIn(watcher, email, password);
    await go(watcher, 'Transactions', 'Transactions');
    await watcher.getByText('No transactions yet').waitFor({ timeout: LONG });
    watcher.on('framenavigated', (f) => { if (f === watcher.mainFrame()) watcherNavigations++; });
  });

  await h.step('link a sandbox account; its sync shows live (accountSynced)', async () => {
    await go(page, 'Accounts', 'Accounts');
    await page.getByLabel('Bank login').fill('user_good');
    await page.getByLabel('Bank password').fill('pass_good');
    await page.getByRole('button', { name: 'Link account' }).click();
    const account = page.getByTestId('account').first();
    await account.waitFor({ timeout: LONG });
    await account.getByText(/Sync finished: \d+ new/).waitFor({ timeout: 120_000 });
    if (!pushed.accountSynced) throw new Error('no accountSynced message came over the socket');
    await account.getByTestId('account-status').getByText('Up to date').waitFor({ timeout: LONG });
    return (await account.getByTestId('sync-progress').innerText()).trim();
  });

  await h.step('the transactions appear live in the other tab (no reload)', async () => {
    await watcher.getByTestId('transaction').first().waitFor({ timeout: LONG });
    if (watcherNavigations) throw new Error('the watching tab navigated');
    const n = await watcher.getByTestId('transaction').count();
    await watcher.close();
    if (watcherContext !== browserContext) await watcherContext.close();
    return `${n} rows arrived`;
  });

  await h.step('accounts screen (axe, screenshot)', async () => {
    await axe(page, 'accounts (desktop)');
    await shot(page, 'accounts-desktop');
  });

  // Pick a small outflow of this month and a category still under budget.
  let tx;
  let target;
  let before;
  await h.step('budget screen before the change (axe, screenshot)', async () => {
    await go(page, 'Budget', /^Budget for/);
    await page.locator('.budget-row').first().waitFor({ timeout: LONG });
    const lines = await page.locator('.budget-row').evaluateAll((rows) =>
      rows.map((r) => ({ category: r.getAttribute('data-category'), status: r.querySelector('[data-testid="budget-status"]').textContent })),
    );
    await go(page, 'Transactions', 'Transactions');
    await page.getByTestId('transaction').first().waitFor({ timeout: LONG });
    const rows = await page.getByTestId('transaction').evaluateAll((els) =>
      els.map((e) => ({ id: e.dataset.id, amount: Number(e.dataset.amount), category: e.dataset.category, posted: e.dataset.posted })),
    );
    const under = lines.filter((l) => l.status === 'Under budget').map((l) => l.category);
    const candidates = rows
      .filter((r) => r.posted.startsWith(month) && r.amount > 0 && under.some((c) => c !== r.category))
      .sort((a, b) => a.amount - b.amount);
    tx = candidates[0];
    if (!tx) throw new Error(`no outflow of ${month} to recategorize among ${rows.length} rows`);
    target = ['ENTERTAINMENT', 'TRAVEL', 'HEALTH', 'PERSONAL_CARE', 'SHOPPING', ...under].find((c) => under.includes(c) && c !== tx.category);
    await go(page, 'Budget', /^Budget for/);
    before = await budgetLine(page, target);
    await axe(page, 'budget (desktop)');
    await shot(page, 'budget-desktop');
    return `moving ${tx.amount} from ${tx.category} to ${target} (spent ${before.spent})`;
  });

  let spendingBefore;
  await h.step('spending screen before the change (chart; axe, screenshot)', async () => {
    await go(page, 'Spending', 'Spending by category');
    await page.getByTestId('spending-chart').waitFor({ timeout: LONG });
    spendingBefore = await spendingCell(page, target);
    await axe(page, 'spending (desktop)');
    await shot(page, 'spending-desktop');
    return `${target} this month: ${spendingBefore}`;
  });

  await h.step('change the category inline, remembering the merchant', async () => {
    await go(page, 'Transactions', 'Transactions');
    const row = page.locator(`[data-testid="transaction"][data-id="${tx.id}"]`);
    await row.getByTestId('category-button').click();
    await row.getByLabel(/^Category for/).selectOption(target);
    await row.getByLabel('Remember for this merchant').check();
    await row.getByRole('button', { name: 'Save' }).click();
    await page.locator(`[data-testid="transaction"][data-id="${tx.id}"][data-category="${target}"]`).waitFor({ timeout: LONG });
    // Focus returns to the row's category button (keyboard users stay put).
    await until('focus back on the category button', () => row.getByTestId('category-button').evaluate((b) => b === document.activeElement), 5_000);
    await axe(page, 'transactions (desktop)');
    await shot(page, 'transactions-desktop');
  });

  await h.step('the month’s spending and budget bars change', async () => {
    await go(page, 'Budget', /^Budget for/);
    const after = await until('the budget line to change', async () => {
      const line = await budgetLine(page, target);
      return line.spent > before.spent ? line : null;
    });
    await go(page, 'Spending', 'Spending by category');
    const spendingAfter = await until('the spending table to change', async () => {
      const v = await spendingCell(page, target);
      return v > spendingBefore ? v : null;
    });
    return `${target}: budget spent ${before.spent} → ${after.spent}, spending ${spendingBefore} → ${spendingAfter}`;
  });

  async function budgetBelowSpending(category) {
    await go(page, 'Budget', /^Budget for/);
    const line = await budgetLine(page, category);
    const amount = Math.max(0, Math.floor(line.spent / 2));
    const row = page.locator(`.budget-row[data-category="${category}"]`);
    const toastsBefore = await page.getByTestId('toast').count();
    await row.getByRole('button', { name: /^Edit/ }).click();
    await row.getByLabel(/^Budget for/).fill(String(amount));
    await row.getByRole('button', { name: 'Save' }).click();
    const toast = page.getByTestId('toast').filter({ hasText: /exceeded/i }).last();
    await until('a budget alert toast', async () => (await page.getByTestId('toast').count()) > toastsBefore && (await toast.isVisible()), LONG);
    await row.getByTestId('budget-status').getByText('Exceeded').waitFor({ timeout: LONG });
    return { amount, text: (await toast.innerText()).replace(/\s+/g, ' ').trim() };
  }

  await h.step('a budget below the spending: an alert toast appears live', async () => {
    const loadsBefore = ops.filter((o) => o.name === 'Dashboard').length;
    const navigationsBefore = await page.evaluate(() => performance.getEntriesByType('navigation').length);
    const { amount, text } = await budgetBelowSpending(target);
    const navigationsAfter = await page.evaluate(() => performance.getEntriesByType('navigation').length);
    if (navigationsAfter !== navigationsBefore) throw new Error('the page reloaded');
    if (!pushed.budgetAlerts) throw new Error('no budgetAlerts message came over the socket');
    await shot(page, 'budget-alert-desktop');
    return `budget ${amount}; toast “${text}”; ${ops.filter((o) => o.name === 'Dashboard').length - loadsBefore} refetches`;
  });

  await h.step('the transaction list scrolls to a second page', async () => {
    await go(page, 'Transactions', 'Transactions');
    await page.getByTestId('transaction').first().waitFor({ timeout: LONG });
    const first = await page.getByTestId('transaction').count();
    await page.locator('.sentinel').scrollIntoViewIfNeeded();
    await page.mouse.wheel(0, 20_000);
    await until('a second page', async () => (await page.getByTestId('transaction').count()) > first);
    const paged = ops.find((o) => o.name === 'TransactionsPage' && o.variables?.after);
    if (!paged) throw new Error('no TransactionsPage request with a cursor');
    return `${first} → ${await page.getByTestId('transaction').count()} rows`;
  });

  await h.step('search by seller and filter by a category chip', async () => {
    const seller = await page.getByTestId('transaction').nth(1).locator('.tx-seller').innerText();
    const word = seller.split(/[^A-Za-z]+/).find((w) => w.length >= 4) ?? seller.slice(0, 4);
    await page.getByLabel('Search by seller').fill(word);
    await until('only matching rows', async () => {
      const sellers = await page.locator('[data-testid="transaction"] .tx-seller').allInnerTexts();
      return sellers.length > 0 && sellers.every((t) => t.toLowerCase().includes(word.toLowerCase()));
    });
    const searched = ops.filter((o) => o.name === 'TransactionsPage' && o.variables?.filter?.seller === word);
    if (!searched.length) throw new Error('the search did not filter on the server');
    const matches = await page.getByTestId('transaction').count();
    await page.getByLabel('Search by seller').fill('');
    await page.getByRole('group', { name: 'Filter by category' }).getByRole('button', { name: 'Food' }).click();
    await until('only Food rows', async () => {
      const cats = await page.getByTestId('transaction').evaluateAll((els) => els.map((e) => e.dataset.category));
      return cats.length > 0 && cats.every((c) => c === 'FOOD');
    });
    const food = ops.filter((o) => o.name === 'TransactionsPage' && o.variables?.filter?.category === 'FOOD');
    if (!food.length) throw new Error('the chip did not filter on the server');
    await page.getByRole('group', { name: 'Filter by category' }).getByRole('button', { name: 'All' }).click();
    return `“${word}”: ${matches} rows (filter.seller); Food chip sent filter.category`;
  });

  await h.step('set the monthly income: the template budget follows', async () => {
    await go(page, 'Budget', /^Budget for/);
    const before = await page.getByTestId('budget-summary').innerText();
    await page.getByLabel('Monthly income').fill('9000');
    await page.getByRole('button', { name: 'Save income' }).click();
    await page.getByTestId('income').getByText('$9,000.00').waitFor({ timeout: LONG });
    const after = await until('the budget to follow the income', async () => {
      const t = await page.getByTestId('budget-summary').innerText();
      return t !== before ? t : null;
    });
    return `${before} → ${after}`;
  });

  await h.step('refresh an account: its sync runs again, shown live', async () => {
    await go(page, 'Accounts', 'Accounts');
    const account = page.getByTestId('account').first();
    const pushedBefore = pushed.accountSynced;
    await account.getByRole('button', { name: /^Refresh/ }).click();
    await until('accountSynced pushed for the refresh', async () => pushed.accountSynced > pushedBefore);
    await account.getByText(/Sync finished: \d+ new, \d+ changed/).waitFor({ timeout: LONG });
    await account.getByTestId('account-status').getByText('Up to date').waitFor({ timeout: LONG });
    await account.getByRole('button', { name: /^Refresh/ }).and(page.locator(':enabled')).waitFor({ timeout: LONG });
    return (await account.getByTestId('sync-progress').innerText()).trim();
  });

  await h.step('the access token expires and is refreshed unseen', async () => {
    const refreshes = () => ops.filter((o) => o.name === 'Refresh' && o.body?.data?.refreshToken?.accessToken);
    const first = ops.find((o) => o.name === 'Register')?.body?.data?.register;
    let expiry = '';
    // Wait out the first access token's lifetime and the server's clock
    // skew leeway (30 s; the condition is the clock itself), then prove
    // the server refuses it while the app, refreshed ahead, carries on.
    const expiresAt = Date.parse(first.expiresAt) + SERVER_LEEWAY_MS;
    await until('the first access token to expire', async () => Date.now() > expiresAt + 1_000, (server.ttlSecs + 90) * 1000);
    const stale = await gql('Dashboard', { month }, first.accessToken);
    const code = stale.errors?.[0]?.extensions?.code;
    if (code !== 'UNAUTHENTICATED') throw new Error(`the expired token still works: ${JSON.stringify(stale)}`);
    if (!refreshes().length) throw new Error('no refresh happened before expiry');
    const dashboards = ops.filter((o) => o.name === 'Dashboard').length;
    await go(page, 'Budget', /^Budget for/);
    const next = await until('the next Dashboard answer', async () => {
      const o = ops.filter((x) => x.name === 'Dashboard')[dashboards];
      return o?.body ? o : null;
    });
    if (!next.body.data?.budget || next.auth === `Bearer ${first.accessToken}`) throw new Error(`the next request did not succeed with a fresh token: ${JSON.stringify(next.body)}`);
    expiry = `first token refused by the server after expiry (${code}); `;
    // The server refuses the next request's token as expired: the client
    // refreshes (once) and retries, and the screen just shows its data.
    let injected = 0;
    await page.route('**/graphql?**', async (route) => {
      if (injected === 0 && route.request().url().includes('operationName=Notifications')) {
        injected++;
        await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ data: null, errors: [{ message: 'the access token expired', extensions: { code: 'UNAUTHENTICATED' } }] }) });
        return;
      }
      await route.fallback();
    });
    const countBefore = refreshes().length;
    await go(page, 'Notifications', 'Notifications');
    await page.getByTestId('notification').first().waitFor({ timeout: LONG });
    await until('the retried request to be answered', async () => refreshes().length > countBefore);
    await page.unroute('**/graphql?**');
    if (!injected) throw new Error('no Notifications request was intercepted');
    if (await page.getByRole('heading', { name: 'Sign in to Moneta' }).count()) throw new Error('signed out');
    if (await page.getByRole('alert').filter({ hasNotText: /budget/i }).count()) throw new Error('an error is shown');
    const unauthenticated = ops.filter((o) => o.body?.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED')).length - injected;
    return `${expiry}${refreshes().length} refreshes (TTL ${server.ttlSecs} s: ahead of expiry, and 1 after an injected UNAUTHENTICATED); ${unauthenticated} UNAUTHENTICATED answers from the server; ${sockets.length} sockets opened`;
  });

  await h.step('after the refresh the socket still pushes alerts', async () => {
    await go(page, 'Budget', /^Budget for/);
    const lines = await page.locator('.budget-row').evaluateAll((rows) =>
      rows.map((r) => ({ category: r.getAttribute('data-category'), status: r.querySelector('[data-testid="budget-status"]').textContent, figures: r.querySelector('[data-testid="budget-figures"]').textContent })),
    );
    const next = lines.find((l) => l.category !== target && l.status === 'Under budget' && !/Spent \$0\.00/.test(l.figures));
    if (!next) return 'skipped: no other category with spending under budget';
    const { text } = await budgetBelowSpending(next.category);
    return `toast “${text}”`;
  });

  await h.step('notifications screen with the unread count (axe, screenshot)', async () => {
    await go(page, 'Notifications', 'Notifications');
    await page.getByTestId('notification').first().waitFor({ timeout: LONG });
    const badge = await page.getByTestId('unread-count').innerText();
    await axe(page, 'notifications (desktop)');
    await shot(page, 'notifications-desktop');
    return `badge “${badge.replace(/\s+/g, ' ')}”`;
  });

  await h.step('keyboard: skip link, then the category editor by keys alone', async () => {
    await go(page, 'Transactions', 'Transactions');
    // From the top of the page: the first Tab is the skip link, which
    // moves focus to the main content.
    // (A reload, which also resumes the session from this tab's storage.)
    await page.reload();
    await page.getByTestId('transaction').first().waitFor({ timeout: LONG });
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => document.activeElement?.textContent);
    if (skip !== 'Skip to content') throw new Error(`first Tab lands on “${skip}”`);
    await page.keyboard.press('Enter');
    await until('focus on the main content', () => page.evaluate(() => document.activeElement?.id === 'main'), 5_000);
    const button = page.getByTestId('category-button').first();
    await button.focus();
    await page.keyboard.press('Enter');
    const select = page.getByLabel(/^Category for/).first();
    await until('the editor to take focus', () => select.evaluate((s) => s === document.activeElement), 5_000);
    await page.keyboard.press('Escape');
    await until('focus back after Escape', () => page.getByTestId('category-button').first().evaluate((b) => b === document.activeElement), 5_000);
  });

  // Phone width: the same user in a fresh tab.
  const phoneContext = browser ? await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }) : browserContext;
  const phone = await phoneContext.newPage();
  if (!browser) await phone.setViewportSize(PHONE);
  h.watch(phone, 'phone');
  await h.step('phone width: every main screen (axe, screenshots)', async () => {
    await phone.goto(appUrl);
    await phone.getByRole('heading', { level: 1, name: 'Sign in to Moneta' }).waitFor({ timeout: LONG });
    await axe(phone, 'sign in (phone)');
    await shot(phone, 'signin-phone');
    await signIn(phone, email, password);
    await phone.locator('.budget-row').first().waitFor({ timeout: LONG });
    await axe(phone, 'budget (phone)');
    await shot(phone, 'budget-phone');
    for (const [label, heading, name, ready] of [
      ['Transactions', 'Transactions', 'transactions', '[data-testid="transaction"]'],
      ['Accounts', 'Accounts', 'accounts', '[data-testid="account"]'],
      ['Spending', 'Spending by category', 'spending', '[data-testid="spending-chart"]'],
      ['Notifications', 'Notifications', 'notifications', '[data-testid="notification"]'],
    ]) {
      await go(phone, label, heading);
      await phone.locator(ready).first().waitFor({ timeout: LONG });
      await axe(phone, `${name} (phone)`);
      await shot(phone, `${name}-phone`);
    }
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 0) throw new Error(`the page scrolls sideways by ${overflow}px at 390px`);
  });

  await h.step('a revoked refresh family signs the user out', async () => {
    // Someone replays the phone's refresh token: the family is revoked, and
    // the phone's next refresh (here at a reload) lands on the sign-in screen.
    const stolen = await phone.evaluate(() => sessionStorage.getItem('moneta.refreshToken'));
    const first = await gql('Refresh', { input: { refreshToken: stolen } });
    if (!first.data?.refreshToken?.accessToken) throw new Error(`the stolen token did not refresh: ${JSON.stringify(first)}`);
    await phone.reload();
    await phone.getByRole('heading', { level: 1, name: 'Sign in to Moneta' }).waitFor({ timeout: LONG });
    await phone.getByText('Your session has ended').waitFor({ timeout: LONG });
    if (phoneContext !== browserContext) await phoneContext.close();
  });

  await h.step('sign out', async () => {
    const token = await page.evaluate(() => sessionStorage.getItem('moneta.refreshToken'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in to Moneta' }).waitFor({ timeout: LONG });
    if (await page.evaluate(() => sessionStorage.getItem('moneta.refreshToken'))) throw new Error('the refresh token is still stored');
    if (!ops.some((o) => o.name === 'Logout')) throw new Error('no Logout sent');
    const reuse = await gql('Refresh', { input: { refreshToken: token } });
    if (reuse.data?.refreshToken?.accessToken) throw new Error('the refresh token still works after sign-out');
  });

  await h.step('every HTTP operation went by document id', async () => {
    const withText = ops.filter((o) => o.method === 'POST' && o.byId === false);
    const names = [...new Set(ops.map((o) => o.name))].sort();
    const contract = new Set([...DOCS.values()].filter((d) => d.source.includes('contract/')).map((d) => d.name));
    const contractByText = withText.filter((o) => contract.has(o.name));
    if (contractByText.length) throw new Error(`contract operations sent with their text: ${contractByText.map((o) => o.name).join(', ')}`);
    if (withText.length) return `by id, except ${withText.length} registrations by text (${[...new Set(withText.map((o) => o.name))].join(', ')}); ${names.length} operations`;
    return `${ops.length} requests, ${names.length} operations: ${names.join(', ')}`;
  });
}

let failed = false;
try {
  await main();
} catch {
  failed = true;
  console.log('\n--- server output (tail) ---');
  console.log(server?.tail?.toString() ?? '(not started)');
  console.log('\n--- browser console (tail) ---');
  console.log(h.console.slice(-80).join('\n') || '(empty)');
} finally {
  for (const c of cleanups) {
    try { await c(); } catch { /* keep cleaning */ }
  }
}
const { line, failed: n } = h.summary();
console.log(`\njourney: ${((Date.now() - h.started) / 1000).toFixed(0)} s; screenshots in web/screenshots/`);
console.log(line);
process.exit(failed || n ? 1 : 0);
