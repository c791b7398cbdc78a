#!/usr/bin/env bash
# Installs what is missing (wrk included), builds Release into build/ and runs the benchmarks
# against it. Usage: scripts/bench.sh   (BENCH_* variables: see bench/README.md)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh" "$ROOT/build" Release
"$ROOT/bench/intake.sh" "$ROOT/build/bin"
"$ROOT/bench/rest_economy.sh" "$ROOT/build/bin"
"$ROOT/bench/backfill.sh" "$ROOT/build/bin"
