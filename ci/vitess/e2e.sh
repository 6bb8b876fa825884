#!/usr/bin/env bash
# Moneta end to end through a real vtgate (vitess/README.md, "End to end").
#
#   ci/vitess/e2e.sh
#
# Starts vttestserver (vtcombo: vtgate + vttablets, one mysqld of its own
# from MariaDB's binaries) with the keyspace `moneta` on 2 shards (-80, 80-)
# and `moneta_global` unsharded; applies vitess/vschema/*.json and
# vitess/routing_rules.json as the Helm migrate Job does (vtctldclient
# ApplyVSchema, ApplyRoutingRules); runs
# `moneta migrate` through vtgate; lists each shard's tables from the
# tablets' own mysqld; then (E2E_JOURNEY=1, the default) serves moneta
# against vtgate and, through GraphQL, registers users and logs them in by
# email, links sandbox accounts and waits for their sync, overrides one
# transaction's category per user (several users voting on one shared
# unknown seller), sets a budget that fires an alert, receives it live on
# the user's WebSocket (ci/vitess/alerts.mjs) and reads it
# back; then checks on each shard's database where the rows landed.
# Exits non-zero at the first failing step with its error. Everything it starts is stopped on exit.
#
# Settings (environment; not MONETA_*, which moneta refuses):
#   VITESS_TOOLS_CACHE  where ci/vitess/build.sh keeps the tools
#   E2E_PORT            vttestserver's base port (default 15000): web
#                       +0, gRPC (vtctld) +1, mysqld +2, vtgate MySQL +3
#   E2E_DIR             work directory (default: a new /tmp/vte2e-XXXXXX)
#   E2E_JOURNEY         1 (default): the GraphQL journey after migrate
#   E2E_USERS           users the journey registers (default 20, also the
#                       most: register allows 20 per client IP and hour)
#   E2E_TX_READ_COMMITTED  1 (default): tablets' mysqld default
#                       transaction-isolation READ-COMMITTED and vtgate
#                       --enable-system-settings=false, so the product's
#                       SET TRANSACTION ISOLATION LEVEL is accepted on
#                       MariaDB (README); 0: Vitess's defaults
#   MONETA_BIN          the moneta binary (default target/debug/moneta)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
port=${E2E_PORT:-15000}
grpc_port=$((port + 1))
mysqld_port=$((port + 2))
vtgate_port=$((port + 3))
http_port=$((port + 10))
journey=${E2E_JOURNEY:-1}
nusers=${E2E_USERS:-20}
rc_iso=${E2E_TX_READ_COMMITTED:-1}
moneta=${MONETA_BIN:-$repo/target/debug/moneta}
work=${E2E_DIR:-$(mktemp -d /tmp/vte2e-XXXXXX)}
mkdir -p "$work"

say() { printf 'e2e: %s\n' "$*" >&2; }
fail() { printf 'e2e: FAILED: %s\n' "$*" >&2; exit 1; }

bin=$("$repo/ci/vitess/build.sh" vttestserver vtcombo mysqlctl vtctldclient)
vtroot=$(dirname "$bin")
[ -x "$moneta" ] || fail "no moneta binary at $moneta (cargo build, or MONETA_BIN)"

vt_pid="" serve_pid="" alerts_pid=""
cleanup() {
  set +e
  if [ -n "$alerts_pid" ]; then kill "$alerts_pid" 2>/dev/null; wait "$alerts_pid" 2>/dev/null; fi
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; fi
  if [ -n "$vt_pid" ]; then
    # vttestserver tears down vtcombo and its mysqld on SIGTERM; its
    # process group (setsid below) is what is left if it does not.
    kill -TERM "$vt_pid" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$vt_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$vt_pid" 2>/dev/null
  fi
}
trap cleanup EXIT

# --- vttestserver --------------------------------------------------------
schema=$work/schema
rm -rf "$schema" && mkdir -p "$schema/moneta" "$schema/moneta_global"
# No VSchema and no table: the VSchemas are applied below as the migrate
# Job applies them, the tables are migrate's.
extra_args=()
if [ "$rc_iso" = 1 ]; then
  printf '[mysqld]\ntransaction-isolation = READ-COMMITTED\n' > "$work/read-committed.cnf"
  extra_args+=(--extra-my-cnf "$work/read-committed.cnf" --enable-system-settings=false)
fi
vtdataroot=$work/vtdataroot
mkdir -p "$vtdataroot"
say "starting vttestserver (log: $work/vttestserver.log)"
# vttestserver, vtcombo and mysqlctl refuse to run as root: an unprivileged
# user namespace (unshare --user) is enough.
userns=()
[ "$(id -u)" = 0 ] && userns=(unshare --user)
VTROOT=$vtroot VTDATAROOT=$vtdataroot VT_MYSQL_ROOT=${VT_MYSQL_ROOT:-/usr} \
  setsid "${userns[@]}" "$bin/vttestserver" \
  --keyspaces moneta,moneta_global --num-shards 2,1 \
  --mysql-bind-host 127.0.0.1 --port "$port" --schema-dir "$schema" \
  --vschema-ddl-authorized-users=% "${extra_args[@]}" \
  > "$work/vttestserver.log" 2>&1 &
vt_pid=$!

vtgate() { mariadb -h127.0.0.1 -P"$vtgate_port" -uroot --batch --skip-column-names "$@"; }
start=$SECONDS
until vtgate -e 'SHOW VITESS_TABLETS' > "$work/tablets.txt" 2>/dev/null \
  && [ "$(grep -c SERVING "$work/tablets.txt")" -ge 3 ]; do
  kill -0 "$vt_pid" 2>/dev/null || { tail -30 "$work/vttestserver.log" >&2; fail "vttestserver exited"; }
  [ $((SECONDS - start)) -lt 120 ] || { tail -30 "$work/vttestserver.log" >&2; fail "vtgate not serving after 120 s"; }
  sleep 1
done
say "vtgate on 127.0.0.1:$vtgate_port after $((SECONDS - start)) s:"
cat "$work/tablets.txt" >&2

# The tablets' own mysqld (one for all shards, databases vt_<keyspace>_<shard>).
sock=$(find "$vtdataroot" -name mysql.sock -print -quit)
[ -S "$sock" ] || fail "no mysql.sock under $vtdataroot"
mysqld() { mariadb -S "$sock" -uroot --batch --skip-column-names "$@"; }
say "mysqld socket: $sock ($(mysqld -e 'SELECT VERSION()'))"

# --- VSchemas and routing rules, in the migrate Job's order -----------------
vtctld() { "${userns[@]}" "$bin/vtctldclient" --server "127.0.0.1:$grpc_port" "$@"; }
# The unsharded keyspace first: moneta.json refers to its tables (the
# email lookup table, the sellers reference source), which do not exist
# yet: migrate creates them.
for ks in moneta_global moneta; do
  vtctld ApplyVSchema --vschema-file "$repo/vitess/vschema/$ks.json" "$ks" > "$work/vschema-$ks.txt" 2>&1 \
    || { cat "$work/vschema-$ks.txt" >&2; fail "vtctldclient ApplyVSchema $ks"; }
done
say "VSchemas applied (vtctldclient ApplyVSchema moneta_global, then moneta)"
vtctld ApplyRoutingRules --rules-file "$repo/vitess/routing_rules.json" > "$work/routing.txt" 2>&1 \
  || { cat "$work/routing.txt" >&2; fail "vtctldclient ApplyRoutingRules"; }
vtctld GetRoutingRules > "$work/routing.txt" 2>&1 || true
# vtgate picks the rules up from the topology watch: wait for them.
for _ in $(seq 1 20); do
  vtgate moneta -e 'SELECT COUNT(*) FROM seaql_migrations' > /dev/null 2>"$work/rr.err" && break
  grep -q "Table 'vt_moneta_global_0.seaql_migrations' doesn't exist\|doesn't exist" "$work/rr.err" && break
  sleep 1
done
say "routing rules applied: $(tr -d ' \n' < "$work/routing.txt" | head -c 300)"

# --- migrate -------------------------------------------------------------------
url="mysql://root@127.0.0.1:$vtgate_port/moneta"
placement() {
  mysqld -e "SELECT table_schema, GROUP_CONCAT(table_name ORDER BY table_name SEPARATOR ' ')
    FROM information_schema.tables WHERE table_schema LIKE 'vt\\_%' GROUP BY table_schema ORDER BY table_schema" \
    | sed 's/^/e2e:   /' >&2
}
say "moneta migrate through vtgate ($url)"
# No table is created beforehand: migrate places each in its keyspace
# (the global ones by the routing rules, the sellers source by
# MONETA_VITESS_GLOBAL_KEYSPACE).
if ! env -i PATH="$PATH" HOME="$HOME" MONETA_DATABASE_URL="$url" MONETA_DATA_DIR="$work/data" \
  MONETA_VITESS_GLOBAL_KEYSPACE=moneta_global "$moneta" migrate > "$work/migrate.log" 2>&1; then
  # vtgate's errors carry the whole statement: cut each line.
  tail -20 "$work/migrate.log" | cut -c1-600 >&2
  say "tables per shard database after the failure:"
  placement
  fail "moneta migrate"
fi
tail -3 "$work/migrate.log" | cut -c1-300 >&2
# The sellers reference copies on the shards of moneta: in a cluster the
# VReplication workflow sellers_reference keeps them in sync from
# moneta_global.sellers (the migrate Job creates it,
# vitess.materializeReferenceTables), but vtcombo has no VReplication
# (`vtctldclient Materialize` fails: `ReadVReplicationWorkflows: not
# implemented in vtcombo`). Without the copy moneta serve loads an empty
# dictionary (vtgate answers the read from a copy) and every transaction
# is UNCATEGORIZED. The stand-in for the workflow's copy phase: the same
# rows, copied in the tablets' mysqld.
for db in 'vt_moneta_-80' 'vt_moneta_80-'; do
  mysqld -e "REPLACE INTO \`$db\`.sellers (normalized_name, display_name, category, updated_at)
    SELECT normalized_name, display_name, category, updated_at FROM vt_moneta_global_0.sellers" \
    || fail "copying moneta_global.sellers to $db"
done
src=$(mysqld vt_moneta_global_0 -e 'SELECT COUNT(*) FROM sellers')
c1=$(mysqld 'vt_moneta_-80' -e 'SELECT COUNT(*) FROM sellers'); c2=$(mysqld 'vt_moneta_80-' -e 'SELECT COUNT(*) FROM sellers')
say "sellers: $src in moneta_global, copied to the reference copies: $c1 (-80) / $c2 (80-)"
[ "$c1" = "$src" ] && [ "$c2" = "$src" ] && [ "$src" -gt 0 ] || fail "sellers reference copies differ from moneta_global.sellers"
say "tables per shard database:"
placement
# Where each table must be, and nowhere else: the user tables and the
# sellers reference copy on both shards of moneta, the global tables (the
# sellers source among them) in moneta_global.
tables_of() {
  mysqld -e "SELECT GROUP_CONCAT(table_name ORDER BY CAST(table_name AS BINARY) SEPARATOR ' ')
    FROM information_schema.tables WHERE table_schema = '$1'"
}
# The expected sets are the VSchemas' own table lists, so a migration that
# adds a table the VSchema does not route fails here.
vschema_tables() {
  python3 -c 'import json, sys; print(" ".join(sorted(json.load(open(sys.argv[1]))["tables"])))' \
    "$repo/vitess/vschema/$1.json"
}
global_tables=$(vschema_tables moneta_global)
shard_tables=$(vschema_tables moneta)
[ "$(tables_of vt_moneta_global_0)" = "$global_tables" ] \
  || fail "moneta_global holds '$(tables_of vt_moneta_global_0)', not '$global_tables'"
for db in 'vt_moneta_-80' 'vt_moneta_80-'; do
  [ "$(tables_of "$db")" = "$shard_tables" ] || fail "$db holds '$(tables_of "$db")', not '$shard_tables'"
done
say "placement ok: global tables in moneta_global, user tables on both shards of moneta"

# vtgate plans with the columns its schema tracker last received from the
# tablets; right after the migrations it can still miss a column a later
# migration added (seen: `1054 column 'users.deleted_at' not found` from
# vtgate on the first register). Reload the tablets' schema and wait until
# vtgate knows the last migration's columns.
probe="SELECT deleted_at FROM users WHERE id = 0"
if ! vtgate moneta -e "$probe" > /dev/null 2> "$work/probe.err"; then
  say "vtgate refuses '$probe' after migrate: $(head -c 300 "$work/probe.err"); reloading the schema"
  for ks in moneta moneta_global; do
    vtctld ReloadSchemaKeyspace --include-primary "$ks" > /dev/null 2>&1 || say "ReloadSchemaKeyspace $ks failed"
  done
  for _ in $(seq 1 30); do vtgate moneta -e "$probe" > /dev/null 2> "$work/probe.err" && break; sleep 1; done
  vtgate moneta -e "$probe" > /dev/null 2> "$work/probe.err" || fail "vtgate still refuses '$probe': $(head -c 300 "$work/probe.err")"
  say "vtgate knows users.deleted_at now"
fi

[ "$journey" = 1 ] || { say "done (E2E_JOURNEY=0)"; exit 0; }

# --- journey -----------------------------------------------------------------
say "moneta serve on 127.0.0.1:$http_port (log: $work/serve.log)"
env -i PATH="$PATH" HOME="$HOME" MONETA_DATABASE_URL="$url" MONETA_DATA_DIR="$work/data" \
  MONETA_LISTEN="127.0.0.1:$http_port" MONETA_ENV=dev MONETA_INSTITUTIONS=sandbox \
  MONETA_LOG=info "$moneta" serve > "$work/serve.log" 2>&1 &
serve_pid=$!
start=$SECONDS
until curl -fsS "http://127.0.0.1:$http_port/readyz" > /dev/null 2>&1; do
  kill -0 "$serve_pid" 2>/dev/null || { tail -30 "$work/serve.log" >&2; fail "moneta serve exited"; }
  [ $((SECONDS - start)) -lt 60 ] || { curl -sS "http://127.0.0.1:$http_port/readyz" >&2; tail -30 "$work/serve.log" >&2; fail "moneta not ready after 60 s"; }
  sleep 1
done

# gql TOKEN QUERY VARIABLES-JSON: prints the response; fails on "errors".
gql() {
  local auth=() out
  [ -n "$1" ] && auth=(-H "Authorization: Bearer $1")
  out=$(jq -nc --arg q "$2" --argjson v "$3" '{query: $q, variables: $v}' \
    | curl -sS "http://127.0.0.1:$http_port/graphql" -H 'Content-Type: application/json' "${auth[@]}" --data-binary @-)
  printf '%s\n' "$out" >> "$work/graphql.log"
  if [ "$(jq -r 'if .errors then "e" elif ([.. | objects | .userErrors? // empty | .[]] | length) > 0 then "u" else "" end' <<< "$out")" != "" ]; then
    printf 'e2e: GraphQL error: %s\n' "${out:0:1500}" >&2
    return 1
  fi
  printf '%s\n' "$out"
}
tag=$$
month=$(date -u +%Y-%m)
for i in $(seq 1 "$nusers"); do
  email="e2e-$tag-$i@example.com"
  gql "" 'mutation($i: RegisterInput!) { register(input: $i) { accessToken userErrors { code message } } }' \
    "{\"i\": {\"email\": \"$email\", \"password\": \"correct horse battery $i\"}}" > /dev/null \
    || fail "register $email"
  token=$(gql "" 'mutation($i: LoginInput!) { login(input: $i) { accessToken userErrors { code message } } }' \
    "{\"i\": {\"email\": \"$email\", \"password\": \"correct horse battery $i\"}}" | jq -r .data.login.accessToken) \
    || fail "login $email"
  gql "$token" 'mutation($i: LinkAccountInput!) { linkAccount(input: $i) { account { id } userErrors { code message } } }' \
    "{\"i\": {\"institution\": \"sandbox\", \"login\": \"user$i\", \"password\": \"pass_good\"}}" > /dev/null \
    || fail "linkAccount for $email"
  echo "$email $token" >> "$work/users.txt"
done
say "$nusers users registered, logged in by email, sandbox accounts linked"
# The sync runs in the in-process queue: wait until each user's accounts
# are ACTIVE (the extraction finished) and transactions are readable.
while read -r email token; do
  st=""
  for _ in $(seq 1 90); do
    st=$(gql "$token" '{ accounts { status } }' '{}' | jq -r '[.data.accounts[].status] | unique | join(",")') \
      || fail "accounts of $email"
    [ "$st" = ACTIVE ] && break
    case $st in *ERROR*|*LOGIN_REQUIRED*) break ;; esac
    sleep 1
  done
  [ "$st" = ACTIVE ] || { grep -m3 ERROR "$work/serve.log" | cut -c1-700 >&2; fail "accounts of $email are $st, not ACTIVE"; }
  n=$(gql "$token" '{ transactions(first: 50) { edges { node { id } } } }' '{}' | jq '.data.transactions.edges | length') \
    || fail "transactions of $email"
  [ "$n" -gt 0 ] || fail "no transactions for $email after its sync"
done < "$work/users.txt"
say "$nusers users synced (accounts ACTIVE, transactions readable)"

# The UNCATEGORIZED transactions of each user (sellers of the sandbox's
# shared pool of local businesses the dictionary does not know), up to 5
# pages of 100: "user-index <TAB> transaction id <TAB> seller" lines.
i=0
: > "$work/unknown.tsv"
while read -r email token; do
  i=$((i + 1)); after=null
  for _ in 1 2 3 4 5; do
    page=$(gql "$token" 'query($a: String) { transactions(first: 100, after: $a, filter: {category: UNCATEGORIZED}) {
        edges { node { id seller category } } pageInfo { hasNextPage endCursor } } }' "{\"a\": $after}") \
      || fail "UNCATEGORIZED transactions of $email"
    jq -r --arg u "$i" '.data.transactions.edges[].node | select(.category == "UNCATEGORIZED") | [$u, .id, .seller] | @tsv' <<< "$page" >> "$work/unknown.tsv"
    [ "$(jq -r .data.transactions.pageInfo.hasNextPage <<< "$page")" = true ] || break
    after=$(jq -c .data.transactions.pageInfo.endCursor <<< "$page")
  done
done < "$work/users.txt"
# The unknown seller the most users share: up to 5 of them vote for it
# (3 are enough for the crowd; the others override something else).
vote_seller=$(cut -f1,3 "$work/unknown.tsv" | sort -u | cut -f2 | sort | uniq -c | sort -k1,1nr -k2 | head -1 | sed 's/^ *[0-9]* //')
[ -n "$vote_seller" ] || fail "no UNCATEGORIZED transaction for any user"
voters=$(awk -F'\t' -v s="$vote_seller" '$3 == s { print $1 }' "$work/unknown.tsv" | sort -un | head -5 | tr '\n' ' ')
n_voters=$(wc -w <<< "$voters")
vote_category=FOOD
n_sharing=$(awk -F'\t' -v s="$vote_seller" '$3 == s { print $1 }' "$work/unknown.tsv" | sort -u | wc -l)
say "unknown seller '$vote_seller' is shared by $n_sharing users; $n_voters of them (${voters% }) vote $vote_category"
[ "$n_voters" -ge 3 ] || say "WARNING: fewer than 3 users share an unknown seller; votes recorded, no crowd choice possible"

# Live alerts: a graphql-transport-ws socket per user, subscribed to
# budgetAlerts before the first budget below is set (ci/vitess/alerts.mjs).
command -v node > /dev/null || fail "node is needed for the live-alert listener (ci/vitess/alerts.mjs)"
npm install --prefix "$repo/ci" --no-audit --no-fund --silent > "$work/npm.log" 2>&1 \
  || { cat "$work/npm.log" >&2; fail "npm install --prefix ci (graphql-ws, ws)"; }
: > "$work/live.txt"
node "$repo/ci/vitess/alerts.mjs" "ws://127.0.0.1:$http_port/graphql/ws" "$work/users.txt" \
  "$work/alerts.ready" "$work/live.txt" 180 2> "$work/alerts.err" &
alerts_pid=$!
start=$SECONDS
until [ -s "$work/alerts.ready" ]; do
  kill -0 "$alerts_pid" 2>/dev/null || { cat "$work/alerts.err" >&2; fail "the live-alert listener exited before subscribing"; }
  [ $((SECONDS - start)) -lt 60 ] || { cat "$work/alerts.err" >&2; fail "the live-alert listener did not subscribe within 60 s"; }
  sleep 0.2
done
say "$(cat "$work/alerts.ready" | tr -d '\n') sockets subscribed to budgetAlerts"

# Each user overrides one transaction: the voters one of the shared
# seller's, the others their newest one (to a category it does not have).
# Then a budget of 0.01 on a category the user spent in this month, which
# must fire a BUDGET_EXCEEDED alert (setBudget settles the follow-up
# before it returns), read back with `notifications`.
i=0
: > "$work/alerts.txt"
while read -r email token; do
  i=$((i + 1))
  if [[ " $voters " == *" $i "* ]]; then
    txid=$(awk -F'\t' -v s="$vote_seller" -v u="$i" '$1 == u && $3 == s { print $2; exit }' "$work/unknown.tsv")
    cat=$vote_category
  else
    cur=$(gql "$token" '{ transactions(first: 1) { edges { node { id category } } } }' '{}') || fail "transactions of $email"
    txid=$(jq -r '.data.transactions.edges[0].node.id' <<< "$cur")
    cat=ENTERTAINMENT
    [ "$(jq -r '.data.transactions.edges[0].node.category' <<< "$cur")" = ENTERTAINMENT ] && cat=TRAVEL
  fi
  out=$(gql "$token" 'mutation($i: SetTransactionCategoryInput!) { setTransactionCategory(input: $i) {
      transaction { id category categorySource } userErrors { code message } } }' \
    "{\"i\": {\"transactionId\": \"$txid\", \"category\": \"$cat\"}}") || fail "setTransactionCategory for $email"
  got=$(jq -r '.data.setTransactionCategory.transaction | "\(.category) \(.categorySource)"' <<< "$out")
  [ "$got" = "$cat USER" ] || fail "setTransactionCategory for $email answered '$got', not '$cat USER'"
  got=$(gql "$token" 'query($id: ID!) { node(id: $id) { ... on Transaction { category categorySource } } }' "{\"id\": \"$txid\"}" \
    | jq -r '.data.node | "\(.category) \(.categorySource)"') || fail "re-reading transaction $txid of $email"
  [ "$got" = "$cat USER" ] || fail "transaction $txid of $email re-reads as '$got', not '$cat USER'"

  # A category never alerted as exceeded this month: an alert fires once
  # per category, month and level, and the template budget from the
  # estimated income may have fired already (during the sync, before the
  # sockets were there). A budget of 0.01 takes it over: a new alert.
  b=$(gql "$token" 'query($m: Month!) { budget(month: $m) { categories { category spent } }
      notifications(first: 50) { edges { node { kind category month } } } }' "{\"m\": \"$month\"}") \
    || fail "budget of $email"
  bcat=$(jq -r --arg m "$month" '[.data.notifications.edges[].node
      | select(.kind == "BUDGET_EXCEEDED" and .month == $m) | .category] as $alerted
    | [.data.budget.categories[] | select((.spent | tonumber) > 0 and (.category | IN($alerted[]) | not))]
    | max_by(.spent | tonumber) | .category // empty' <<< "$b")
  if [ -z "$bcat" ]; then
    gql "$token" 'query($m: Month!) { monthlySpending(month: $m) { category amount }
        transactions(first: 10, filter: {month: $m}) { edges { node { postedAt amount pending category } } } }' "{\"m\": \"$month\"}" >&2
    fail "$email has no spending in $month not yet alerted as exceeded: $(jq -c .data <<< "$b")"
  fi
  out=$(gql "$token" 'mutation($i: SetBudgetInput!) { setBudget(input: $i) {
      budget { categories { category budgeted spent status source } } userErrors { code message } } }' \
    "{\"i\": {\"category\": \"$bcat\", \"amount\": \"0.01\"}}") || fail "setBudget $bcat for $email"
  got=$(jq -r --arg c "$bcat" '.data.setBudget.budget.categories[] | select(.category == $c) | "\(.status) \(.source)"' <<< "$out")
  [ "$got" = "EXCEEDED OVERRIDE" ] || fail "setBudget $bcat 0.01 for $email: '$got', not 'EXCEEDED OVERRIDE'"
  alert=$(gql "$token" '{ notifications(first: 50) { edges { node { kind category month } } } }' '{}' \
    | jq -r --arg c "$bcat" --arg m "$month" '[.data.notifications.edges[].node
        | select(.kind == "BUDGET_EXCEEDED" and .category == $c and .month == $m)] | length') \
    || fail "notifications of $email"
  [ "$alert" -ge 1 ] || fail "no BUDGET_EXCEEDED notification for $bcat $month of $email"
  echo "$email $bcat" >> "$work/alerts.txt"
  say "  user $i: transaction overridden to $cat; budget $bcat 0.01 in $month -> BUDGET_EXCEEDED notification"
done < "$work/users.txt"
say "$nusers overrides read back, $nusers budget alerts stored and listed"
# Every alert also arrived live, on the user's own socket.
alerts_rc=0
wait "$alerts_pid" || alerts_rc=$?
alerts_pid=""
[ "$alerts_rc" = 0 ] || { cat "$work/alerts.err" >&2; fail "live alerts: the listener exited $alerts_rc"; }
while read -r email bcat; do
  grep -qx "$email $bcat $month BUDGET_EXCEEDED" "$work/live.txt" \
    || fail "no live BUDGET_EXCEEDED alert for $bcat $month on the socket of $email (got: $(grep "^$email " "$work/live.txt" | tr '\n' ';'))"
done < "$work/alerts.txt"
say "$nusers budget alerts pushed live over graphql-transport-ws, each to its own user's socket"

# --- where the rows are, straight from each shard's database ----------------
shards=('vt_moneta_-80' 'vt_moneta_80-')
user_tables="transactions accounts notifications monthly_spending user_seller_votes budget_overrides"
say "rows per shard (users / $user_tables):"
for db in "${shards[@]}"; do
  counts=$(mysqld "$db" -e "SELECT (SELECT COUNT(*) FROM users) $(for t in $user_tables; do printf ', (SELECT COUNT(*) FROM %s)' "$t"; done)" | tr '\t' ' ')
  say "  $db: $counts"
  [ "$(mysqld "$db" -e 'SELECT COUNT(*) FROM users')" -gt 0 ] || fail "no user on $db (${nusers} users should hash to both shards)"
done
# Each user's rows of every user-owned table on exactly one shard, the
# one holding its users row; and there, at least one row of each (every
# user has synced, overridden a transaction — a crowd vote —, set a budget
# and got its alert).
ids=$(for db in "${shards[@]}"; do mysqld "$db" -e "SELECT id FROM users"; done)
n_users=$(wc -w <<< "$ids")
[ "$n_users" = "$nusers" ] || fail "$n_users users rows on the shards, $nusers registered"
for id in $ids; do
  where=""
  for db in "${shards[@]}"; do
    u=$(mysqld "$db" -e "SELECT COUNT(*) FROM users WHERE id = $id")
    row=$(mysqld "$db" -e "SELECT 0 $(for t in $user_tables; do printf ', (SELECT COUNT(*) FROM %s WHERE user_id = %s)' "$t" "$id"; done)")
    read -r _ c_tx c_acc c_notif c_ms c_votes c_bo <<< "$row"
    if [ "$u" -gt 0 ]; then
      where="$where $db"
      for pair in "transactions:$c_tx" "accounts:$c_acc" "notifications:$c_notif" "monthly_spending:$c_ms" \
        "user_seller_votes:$c_votes" "budget_overrides:$c_bo"; do
        [ "${pair#*:}" -gt 0 ] || fail "user $id on $db has no ${pair%:*} rows there"
      done
      [ "$(mysqld "$db" -e "SELECT COUNT(*) FROM notifications WHERE user_id = $id AND kind = 'BUDGET_EXCEEDED'")" -gt 0 ] \
        || fail "user $id on $db has no BUDGET_EXCEEDED notification row there"
    else
      [ "$(tr -d ' \t0' <<< "$row")" = "" ] || fail "user $id has rows on $db, where its users row is not (counts: $row)"
    fi
  done
  [ "$(wc -w <<< "$where")" = 1 ] || fail "user $id on shards:$where"
done
# The crowd's tally in moneta_global: the voters' user_seller_votes rows
# (each on its own shard) name the seller key the tally row is kept under.
vote_keys=$(for db in "${shards[@]}"; do mysqld "$db" -e "SELECT seller FROM user_seller_votes WHERE category = '$vote_category'"; done | sort | uniq -c | sort -k1,1nr)
vote_key=$(head -1 <<< "$vote_keys" | sed 's/^ *[0-9]* //')
n_key=$(head -1 <<< "$vote_keys" | awk '{print $1}')
[ "$n_key" -ge "$n_voters" ] || fail "$n_voters users voted $vote_category for '$vote_seller' but the shards hold $n_key vote rows for one seller: $vote_keys"
tally=$(mysqld vt_moneta_global_0 -e "SELECT votes FROM seller_votes WHERE seller = '${vote_key//\'/\'\'}' AND category = '$vote_category'")
[ "${tally:-0}" = "$n_key" ] || fail "moneta_global.seller_votes has '${tally}' $vote_category votes for '$vote_key', the shards $n_key"
voter_shards=$(for db in "${shards[@]}"; do
  if [ "$(mysqld "$db" -e "SELECT COUNT(*) FROM user_seller_votes WHERE seller = '${vote_key//\'/\'\'}'")" -gt 0 ]; then echo "$db"; fi
  done | tr '\n' ' ')
say "crowd: seller key '$vote_key': $n_key $vote_category votes in user_seller_votes (on: ${voter_shards% }), moneta_global.seller_votes tally $tally"

n_emails=$(mysqld vt_moneta_global_0 -e "SELECT COUNT(*) FROM user_emails")
[ "$n_users" = "$n_emails" ] || fail "$n_users users but $n_emails rows in moneta_global.user_emails"
# The lookup row's keyspace id puts each email on the shard of its user
# (-80: first byte < 0x80).
for db in "${shards[@]}"; do
  mysqld "$db" -e "SELECT email_normalized FROM users" | while read -r e; do
    k=$(mysqld vt_moneta_global_0 -e "SELECT HEX(keyspace_id) FROM user_emails WHERE email_normalized = '$e'")
    case $db:$k in
      'vt_moneta_-80':[0-7]*| 'vt_moneta_80-':[89A-F]*) ;;
      *) fail "user_emails row of $e (keyspace id $k) does not point at $db" ;;
    esac
  done
done
say "journey ok: $n_users users over both shards, each user's rows of $user_tables on one shard, user_emails agrees"
