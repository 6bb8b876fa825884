#!/usr/bin/env bash
# CI for the web dashboard: a clean install, a build that must reproduce
# the committed web/dist byte for byte, then the browser journey against
# the real server (MariaDB and Redis must be up: shared/tools/services-up).
#   MONETA_BIN=path/to/moneta web/ci.sh
set -euo pipefail
cd "$(dirname "$0")"

if [[ ! -x /usr/bin/chromium ]]; then
  echo "installing Debian's chromium"
  (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null
fi

npm ci --no-audit --no-fund

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
WEB_OUT_DIR="$out/dist" npm run build
if ! diff -r "$out/dist" dist; then
  echo "web/dist differs from a fresh 'npm ci && npm run build': rebuild and commit it" >&2
  exit 1
fi
echo "web/dist is reproducible"
node scripts/size.mjs dist

MONETA_BIN="${MONETA_BIN:-../target/release/moneta}" node e2e/journey.mjs
