#!/usr/bin/env bash
# Runs the official Bitrix24 JS SDK against b24-emulator over an HTTPS incoming webhook.
# Usage: tests/sdk/run.sh PATH_TO_B24_EMULATOR
# Exits with the status of `node --test`.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 PATH_TO_B24_EMULATOR" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ ! -f $1 || ! -x $1 ]]; then
  echo "$0: emulator not found or not executable: $1" >&2
  exit 2
fi
emu=$(realpath "$1") # absolute, because node runs from $here
if [[ ! -d $here/node_modules/@bitrix24/b24jssdk ]]; then
  echo "$0: $here/node_modules is missing; run 'npm ci' in tests/sdk (npm ci --prefix tests/sdk)" >&2
  exit 2
fi

tmp=$(mktemp -d)
emu_pid=
# shellcheck disable=SC2317 # invoked by the trap below
cleanup() {
  if [[ -n $emu_pid ]] && kill "$emu_pid" 2>/dev/null; then
    # Give it 5 s to exit on SIGTERM before forcing it.
    for _ in $(seq 50); do kill -0 "$emu_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$emu_pid" 2>/dev/null || true
    wait "$emu_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# Throw-away certificate; the SDK only speaks https, and node trusts it via NODE_EXTRA_CA_CERTS.
if ! openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >"$tmp/openssl.log" 2>&1; then
  cat "$tmp/openssl.log" >&2
  exit 1
fi

"$emu" --port 0 --tls-port 0 --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem" \
  --webhook 1:sdktestcode --port-file "$tmp/ports.json" >"$tmp/emulator.log" 2>&1 &
emu_pid=$!

# Ports are chosen by the emulator (port 0); wait until it has written them.
https_port() {
  [[ -s $tmp/ports.json ]] && node -e '
    const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).https;
    if (!Number.isInteger(p) || p <= 0) process.exit(1);
    console.log(p);' "$tmp/ports.json" 2>/dev/null
}
deadline=$((SECONDS + 20))
until port=$(https_port); do
  if ! kill -0 "$emu_pid" 2>/dev/null; then
    echo "$0: emulator exited before writing its ports; its output:" >&2
    cat "$tmp/emulator.log" >&2
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "$0: no https port in $tmp/ports.json after 20 s; emulator output:" >&2
    cat "$tmp/emulator.log" >&2
    exit 1
  fi
  sleep 0.1
done

# 127.0.0.1 rather than localhost: node may resolve localhost to ::1 first.
# NO_PROXY: the SDK's axios would otherwise send loopback traffic to a configured proxy.
status=0
(
  cd "$here"
  NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost \
    NODE_EXTRA_CA_CERTS="$tmp/cert.pem" \
    B24_WEBHOOK_URL="https://127.0.0.1:$port/rest/1/sdktestcode/" \
    node --test webhook_test.mjs
) || status=$?
if ((status != 0)); then
  echo "--- emulator output ---" >&2
  cat "$tmp/emulator.log" >&2
fi
exit "$status"
