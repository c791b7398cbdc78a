#!/usr/bin/env bash
# The second quick-start command: installs what is missing, builds, and runs every test —
# the Catch2 suites and the official JavaScript SDK against the emulator (through ctest), then
# the same suites under AddressSanitizer + UndefinedBehaviorSanitizer, then a format check.
# SKIP_SANITIZERS=1 skips the sanitizer pass (a quicker local loop).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="$(nproc 2>/dev/null || echo 2)"

bash "$ROOT/scripts/setup.sh" "$ROOT/build" Release
echo "== tests"
(cd "$ROOT/build" && ctest --output-on-failure -j"$jobs")

if [ "${SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== tests under ASan + UBSan"
  CMAKE_EXTRA_ARGS="-DCONVEYOR_SANITIZE=ON" bash "$ROOT/scripts/setup.sh" "$ROOT/build-asan" Debug
  (cd "$ROOT/build-asan" && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs" -E sdk_)
fi

echo "== clang-format"
cd "$ROOT"
files=$(git ls-files '*.h' '*.cpp')
# shellcheck disable=SC2086
clang-format --dry-run --Werror $files
echo "format: ok"
