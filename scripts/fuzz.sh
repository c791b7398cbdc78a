#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/) and runs each for FUZZ_SECONDS
# (default 12) from its seed corpus (tests/fuzz/corpus/<target>); what a run finds is kept in
# build-fuzz/corpus, never in the tree. A crash fails the script and leaves the input in
# build-fuzz/crashes/<target>/: copy it to tests/fuzz/regressions/<target>/ with the fix, and
# the ordinary test run replays it from then on (ctest fuzz_replay_<target>).
# Called by scripts/test.sh; alone: scripts/fuzz.sh [TARGET...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build-fuzz"
seconds="${FUZZ_SECONDS:-8}"
targets=("$@")
((${#targets[@]})) || targets=(form event placement_options settings rest_answer entity)

CXX=clang++ CC=clang cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCONVEYOR_FUZZ=ON -DCONVEYOR_WERROR=OFF -DBUILD_TESTING=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc 2>/dev/null || echo 2)" \
  --target $(printf 'fuzz_%s ' "${targets[@]}") >/dev/null

status=0
for target in "${targets[@]}"; do
  mkdir -p "$BUILD/corpus/$target" "$BUILD/crashes/$target"
  echo "== fuzz $target (${seconds} s)"
  if ! ASAN_OPTIONS=detect_leaks=1 "$BUILD/bin/fuzz_$target" -max_total_time="$seconds" \
      -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=0 \
      -artifact_prefix="$BUILD/crashes/$target/" \
      "$BUILD/corpus/$target" "$ROOT/tests/fuzz/corpus/$target" >"$BUILD/$target.log" 2>&1; then
    tail -n 40 "$BUILD/$target.log"
    echo "fuzz: $target crashed; the input is in $BUILD/crashes/$target/" >&2
    status=1
  else
    grep -E "^#[0-9]+.*DONE" "$BUILD/$target.log" | tail -n 1 || true
  fi
done
exit "$status"
