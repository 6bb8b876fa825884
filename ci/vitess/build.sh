#!/usr/bin/env bash
# Builds the pinned Vitess tools from the Go module proxy into a cache
# directory and prints that directory (its bin/) on stdout.
#
#   ci/vitess/build.sh [tool...]   # default: vtexplain vttestserver vtcombo mysqlctl vtctldclient
#
# The version is the one go.mod requires (vitess.io/vitess vX.Y.Z); go.sum
# locks every dependency. The binaries land in
#   ${VITESS_TOOLS_CACHE:-$HOME/.cache/moneta-vitess}/<version>/bin
# and are not rebuilt while they are there. (Not a MONETA_* variable: the
# moneta binary refuses unknown MONETA_* settings in its environment.)
# Nothing of Vitess is copied into the repository: `go build` fetches the
# module (GOPROXY) into the Go module cache. Needs Go >= the go.mod's `go` line (GOTOOLCHAIN=auto
# fetches it otherwise). Progress goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

fail() { printf 'ci/vitess/build.sh: %s\n' "$*" >&2; exit 1; }

version=$(awk '{ for (i = 1; i < NF; i++) if ($i == "vitess.io/vitess") { print $(i + 1); exit } }' "$here/go.mod")
[ -n "$version" ] || fail "go.mod requires no vitess.io/vitess"
cache=${VITESS_TOOLS_CACHE:-$HOME/.cache/moneta-vitess}
bin=$cache/$version/bin

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(vtexplain vttestserver vtcombo mysqlctl vtctldclient)
missing=()
for tool in "${tools[@]}"; do
  case $tool in
    vtexplain | vttestserver | vtcombo | mysqlctl | vtctldclient) ;;
    *) fail "unknown tool $tool (tools.go pins vtexplain, vttestserver, vtcombo, mysqlctl, vtctldclient)" ;;
  esac
  [ -x "$bin/$tool" ] || missing+=("$tool")
done
# vttestserver runs with VTROOT=<cache>/<version>: it execs bin/vtcombo and
# bin/mysqlctl, and reads config/ (Vitess's my.cnf snippets, init_db.sql).
needs_config=""
case " ${tools[*]} " in
  *" vttestserver "*) [ -f "$cache/$version/config/init_db.sql" ] || needs_config=1 ;;
esac
if [ ${#missing[@]} -eq 0 ] && [ -z "$needs_config" ]; then
  echo "Vitess $version: ${tools[*]} already built in $bin" >&2
  echo "$bin"
  exit 0
fi

command -v go >/dev/null 2>&1 || fail "go is not installed (Vitess $version is built from its Go module)"
mkdir -p "$bin"
staging=$(mktemp -d "$cache/$version/.build.XXXXXX")
trap 'rm -rf "$staging"' EXIT
if [ ${#missing[@]} -gt 0 ]; then
  packages=()
  for tool in "${missing[@]}"; do packages+=("vitess.io/vitess/go/cmd/$tool"); done
  echo "Vitess $version: building ${missing[*]} ($(go version | awk '{print $3}'))" >&2
  start=$SECONDS
  # Pure Go (no cgo: no C toolchain, and the binaries run anywhere), no
  # local paths or debug symbols in them, go.mod/go.sum used as they are.
  (cd "$here" && CGO_ENABLED=0 go build -mod=readonly -buildvcs=false -trimpath \
    -ldflags='-s -w' -o "$staging/" "${packages[@]}") \
    || fail "go build of Vitess $version failed"
  for tool in "${missing[@]}"; do mv -f "$staging/$tool" "$bin/$tool"; done
  echo "Vitess $version: built in $((SECONDS - start)) s into $bin" >&2
fi
if [ -n "$needs_config" ]; then
  module=$(cd "$here" && go list -mod=readonly -m -f '{{.Dir}}' vitess.io/vitess) \
    || fail "cannot locate the vitess.io/vitess module"
  cp -R "$module/config" "$staging/config"
  chmod -R u+w "$staging/config"
  # Vitess's config is MySQL 8's; with MariaDB 10.11 as the tablets' mysqld
  # (vitess/README.md, "End to end"): no super_read_only variable, and
  # semi-sync is built in (there is no semisync_master.so to load).
  sed -i 's/^super-read-only *=/loose-super-read-only =/' "$staging/config/mycnf/test-suite.cnf"
  sed -i 's/^plugin-load *= *rpl_semi_sync/# &/' "$staging/config/mycnf/mariadb10.cnf"
  sed -i '/super_read_only/d' "$staging/config/init_db.sql"
  rm -rf "$cache/$version/config"
  mv "$staging/config" "$cache/$version/config"
  echo "Vitess $version: config/ for VTROOT=$cache/$version (patched for MariaDB)" >&2
fi
echo "$bin"
