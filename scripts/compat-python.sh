#!/usr/bin/env bash
# Runs the official GenAuth Python SDK (genauth==5.1.0, plus websockets and
# cryptography, which it imports without declaring) against the emulator
# binary, step by step (scripts/compat_python.py).
#
# Usage: scripts/compat-python.sh [PATH/TO/genauth-emulator]
# Without a path, the binary is built first (cargo build -p genauth-emulator).
# CI passes the binary `cargo test --workspace` already built: building the
# package alone resolves other features and compiles it again.
#
# The virtualenv lives in target/compat/venv and is reused. Where PyPI cannot
# be reached (or python3 cannot make a virtualenv), this prints a notice and
# exits 0: it is not a failure. A failed step is (exit status 1).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/compat/venv
mkdir -p target/compat
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import genauth, websockets, cryptography" 2>/dev/null; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >target/compat/venv.log 2>&1; then
    echo "notice: python3 cannot make a virtualenv (see target/compat/venv.log); skipping the Python SDK compatibility run"
    exit 0
  fi
  # Short timeouts and one retry: an unreachable index costs seconds, not minutes.
  if ! "$venv/bin/pip" install -q --disable-pip-version-check --timeout 15 --retries 1 \
      "genauth==5.1.0" websockets cryptography >target/compat/pip.log 2>&1; then
    echo "notice: PyPI is not reachable (see target/compat/pip.log); skipping the Python SDK compatibility run"
    rm -rf "$venv"
    exit 0
  fi
fi
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build -q -p genauth-emulator --bin genauth-emulator
  bin=target/debug/genauth-emulator
fi
if [ ! -x "$bin" ]; then
  echo "error: $bin is not an executable emulator binary"
  exit 1
fi
exec "$venv/bin/python" scripts/compat_python.py "$bin"
