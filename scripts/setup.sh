#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs (only those missing), builds the project
# and installs the npm packages of the SDK and browser tests from their lock files. Idempotent;
# quick when all is present. Sourced by demo.sh and test.sh; usable alone: scripts/setup.sh [BUILD_DIR] [TYPE]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${1:-${BUILD_DIR:-$ROOT/build}}"
BUILD_TYPE="${2:-${BUILD_TYPE:-Release}}"

PACKAGES=(
  g++ make cmake pkg-config
  libcpp-httplib-dev nlohmann-json3-dev libexpected-dev libcli11-dev libspdlog-dev
  libsqlite3-dev libssl-dev catch2
  libhowardhinnant-date-dev tzdata  # the portal's time zone (lib/core/working_time.cpp)
  openssl curl clang-format
  wrk  # the event intake benchmark (bench/intake.sh)
  chromium  # the browser tests of the app's pages (tests/browser, driven by playwright-core)
  clang libclang-rt-14-dev  # the libFuzzer targets (scripts/fuzz.sh)
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Node.js and npm run the official JavaScript SDK test; any Node >= 18 with npm will do.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs="$(nproc 2>/dev/null || echo 2)"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" ${CMAKE_EXTRA_ARGS:-} >/dev/null
cmake --build "$BUILD_DIR" -j"$jobs"

# npm ci only when the lock file changed since the last install: the SDK test's packages and
# the browser tests' (playwright-core, which uses the chromium package above, never a download).
for npm_dir in "$ROOT/tests/sdk" "$ROOT/tests/browser"; do
  if [ -f "$npm_dir/package-lock.json" ]; then
    stamp="$npm_dir/node_modules/.conveyor-lock"
    if [ ! -f "$stamp" ] || ! cmp -s "$npm_dir/package-lock.json" "$stamp"; then
      (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error)
      cp "$npm_dir/package-lock.json" "$stamp"
    fi
  fi
done
