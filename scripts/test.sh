#!/usr/bin/env bash
# The second quick-start command: installs what is missing, builds, and runs every test — the
# Catch2 suites, the official JavaScript SDK against the emulator and the demo (through ctest) —
# in one build instrumented with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/),
# then fuzzes each parser of outside input for a bounded time (scripts/fuzz.sh, clang's
# libFuzzer) and checks the formatting. One instrumented build instead of a plain one plus an
# instrumented one keeps the run within the time budget (docs: README "Tests").
# SANITIZE=0 runs the suites in the plain Release build (build/) instead, for a quick loop.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="$(nproc 2>/dev/null || echo 2)"

if [ "${SANITIZE:-1}" = "0" ]; then
  bash "$ROOT/scripts/setup.sh" "$ROOT/build" Release
  tree="$ROOT/build"
else
  # A unity build (sources compiled eight to a unit) halves a clean build: the headers' templates
  # are instantiated once per unit rather than once per file. CI always builds from scratch; the
  # Release tree of the demo and the quick loop still compiles each file on its own, so a missing
  # include shows there and a one-file change rebuilds one file.
  CMAKE_EXTRA_ARGS="-DCONVEYOR_SANITIZE=ON -DCMAKE_UNITY_BUILD=ON" \
    bash "$ROOT/scripts/setup.sh" "$ROOT/build-asan" Debug
  tree="$ROOT/build-asan"
fi
echo "== tests ($tree)"
(cd "$tree" && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure --timeout 300 -j"$jobs")

echo "== fuzz (scripts/fuzz.sh)"
bash "$ROOT/scripts/fuzz.sh"

echo "== clang-format"
cd "$ROOT"
files=$(git ls-files '*.h' '*.cpp')
# shellcheck disable=SC2086
clang-format --dry-run --Werror $files
echo "format: ok"
