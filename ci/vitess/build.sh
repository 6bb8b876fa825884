#!/usr/bin/env bash
# Builds the pinned Vitess tools from the Go module proxy into a cache
# directory and prints that directory (its bin/) on stdout.
#
#   ci/vitess/build.sh [tool...]      # default: vtexplain vttestserver vtcombo
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
[ ${#tools[@]} -gt 0 ] || tools=(vtexplain vttestserver vtcombo)
missing=()
for tool in "${tools[@]}"; do
  case $tool in
    vtexplain | vttestserver | vtcombo) ;;
    *) fail "unknown tool $tool (tools.go pins vtexplain, vttestserver, vtcombo)" ;;
  esac
  [ -x "$bin/$tool" ] || missing+=("$tool")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "Vitess $version: ${tools[*]} already built in $bin" >&2
  echo "$bin"
  exit 0
fi

command -v go >/dev/null 2>&1 || fail "go is not installed (Vitess $version is built from its Go module)"
packages=()
for tool in "${missing[@]}"; do packages+=("vitess.io/vitess/go/cmd/$tool"); done

mkdir -p "$bin"
staging=$(mktemp -d "$cache/$version/.build.XXXXXX")
trap 'rm -rf "$staging"' EXIT
echo "Vitess $version: building ${missing[*]} ($(go version | awk '{print $3}'))" >&2
start=$SECONDS
# Pure Go (no cgo: no C toolchain, and the binaries run anywhere), no
# local paths or debug symbols in them, go.mod/go.sum used as they are.
(cd "$here" && CGO_ENABLED=0 go build -mod=readonly -buildvcs=false -trimpath \
  -ldflags='-s -w' -o "$staging/" "${packages[@]}") \
  || fail "go build of Vitess $version failed"
for tool in "${missing[@]}"; do mv -f "$staging/$tool" "$bin/$tool"; done
echo "Vitess $version: built in $((SECONDS - start)) s into $bin" >&2
"$bin/${missing[0]}" --version >&2 2>/dev/null || true
echo "$bin"
