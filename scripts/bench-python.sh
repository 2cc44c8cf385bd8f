#!/usr/bin/env bash
# Runs the official Python SDK (genauth==5.1.0) against the load benchmark's
# local server and prints table rows comparable to `--example loadbench`.
#
#   scripts/bench-python.sh [DURATION_SECONDS] [CONCURRENCY_LIST]
#
# It makes a virtualenv (default target/bench-venv, or $VENV), installs
# genauth==5.1.0 there (plus `websockets`, which the SDK imports but does not
# declare), builds the benchmark in release mode, starts its server with
# `--serve`, runs scripts/bench_python.py, and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-3}"
LEVELS="${2:-1,64}"
TARGET="${CARGO_TARGET_DIR:-target}"
VENV="${VENV:-$TARGET/bench-venv}"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check "genauth==5.1.0" websockets

cargo build --quiet --release --example loadbench
LOG="$(mktemp)"
"$TARGET/release/examples/loadbench" --serve >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 1 100); do
  grep -q "listening on" "$LOG" && break
  sleep 0.1
done
URL="$(sed -n 's/^listening on //p' "$LOG")"
if [ -z "$URL" ]; then
  echo "the benchmark server did not start:" >&2
  cat "$LOG" >&2
  exit 1
fi
echo "| client | concurrency | requests | req/s | p50 ms | p99 ms |"
echo "|---|---|---|---|---|---|"
"$VENV/bin/python" scripts/bench_python.py --url "$URL" --duration "$DURATION" --concurrency "$LEVELS"
