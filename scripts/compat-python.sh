#!/usr/bin/env bash
# Runs the official GenAuth Python SDK (genauth==5.1.0, plus websockets and
# cryptography, which it imports without declaring) against the emulator
# binary, step by step (scripts/compat_python.py).
#
# The virtualenv lives in target/compat/venv and is reused. Where PyPI cannot
# be reached, this prints a notice and exits 0: it is not a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/compat/venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import genauth, websockets, cryptography" 2>/dev/null; then
  python3 -m venv "$venv" || { echo "notice: python3 cannot make a virtualenv; skipping the Python SDK compatibility run"; exit 0; }
  if ! "$venv/bin/pip" install -q --disable-pip-version-check --timeout 20 \
      "genauth==5.1.0" websockets cryptography >target/compat/pip.log 2>&1; then
    echo "notice: PyPI is not reachable (see target/compat/pip.log); skipping the Python SDK compatibility run"
    exit 0
  fi
fi
cargo build -q -p genauth-emulator --bin genauth-emulator
exec "$venv/bin/python" scripts/compat_python.py target/debug/genauth-emulator
