#!/usr/bin/env bash
# Installs the official Node SDK in a temporary directory (never in the repo),
# runs record.js against a loopback recorder, and writes the signature test
# vectors of genauth-core.
#
#   run.sh [output.json]          record the vectors (default: the committed file)
#   run.sh --emulator <URL>       run the Node SDK's signed calls against an emulator
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="${AUTHING_NODE_SDK_VERSION:-4.0.1}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund "authing-node-sdk@$version" >/dev/null)
if [ "${1:-}" = "--emulator" ]; then
  # Signed calls from the Node SDK against a running emulator (real clock and nonces).
  NODE_PATH="$tmp/node_modules" node "$here/against-emulator.js" "${2:?emulator URL}"
  exit
fi
out="${1:-$root/crates/genauth-core/tests/data/node-signature-vectors.json}"
mkdir -p "$(dirname "$out")"
NODE_PATH="$tmp/node_modules" node "$here/record.js" "$out"
