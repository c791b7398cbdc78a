#!/usr/bin/env bash
# Drives Conveyor's Bitrix24 pages in Debian's Chromium (playwright-core, no browser download):
# the card tab and the app page, served by the conveyor, framed by b24-emulator's portal pages.
# Usage: tests/browser/run.sh PATH_TO_B24_EMULATOR PATH_TO_CONVEYOR
# Screenshots go to $CONVEYOR_ARTEFACTS (default: <build dir>/artefacts/browser, the build dir
# being the parent of the binaries' bin/). Exits with the status of `node --test`.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 PATH_TO_B24_EMULATOR PATH_TO_CONVEYOR" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for bin in "$1" "$2"; do
  if [[ ! -f $bin || ! -x $bin ]]; then
    echo "$0: not found or not executable: $bin" >&2
    exit 2
  fi
done
emu=$(realpath "$1")
conveyor=$(realpath "$2")
if [[ ! -d $here/node_modules/playwright-core ]]; then
  echo "$0: $here/node_modules is missing; run 'npm ci' in tests/browser (scripts/setup.sh does)" >&2
  exit 2
fi
chromium=${CHROMIUM_BIN:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then
  echo "$0: no Chromium at $chromium; install the Debian package 'chromium' (scripts/setup.sh does)" >&2
  exit 2
fi
artefacts=${CONVEYOR_ARTEFACTS:-$(dirname "$(dirname "$conveyor")")/artefacts/browser}
mkdir -p "$artefacts"

# Loopback only: no proxy may take the browser's or node's requests to 127.0.0.1.
cd "$here"
status=0
NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost \
  EMULATOR_BIN="$emu" CONVEYOR_BIN="$conveyor" CHROMIUM_BIN="$chromium" \
  CONVEYOR_ARTEFACTS="$artefacts" \
  node --test ./*.test.mjs || status=$?
echo "browser test screenshots: $artefacts"
exit "$status"
