#!/usr/bin/env bash
# The first quick-start command: installs what is missing, builds, then runs the demo
# (scripts/run_demo.sh). Ctrl-C stops it; --once stops right after start-up.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh" "$ROOT/build" Release
exec bash "$ROOT/scripts/run_demo.sh" "$ROOT/build/bin" "$@"
