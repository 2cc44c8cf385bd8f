#!/usr/bin/env bash
# Instructions per call of each variant of benches/stack.rs, counted by
# callgrind (load-independent, unlike wall-clock time on a shared machine).
#
#   scripts/stack-instructions.sh                       # every variant, 5000 calls, 1 task
#   scripts/stack-instructions.sh 5000 64 default raw   # calls, concurrency, variants
#   STACK_BIN=/tmp/stack-before scripts/stack-instructions.sh ...   # a binary built before
#
# Needs valgrind. Only the calls are counted (callgrind's --toggle-collect on
# `measured_calls`), not the start-up or the warm-up. The callgrind output of
# each variant is kept in target/callgrind/<variant>-c<concurrency>.out (or
# $CALLGRIND_DIR) for
# callgrind_annotate.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-5000}
concurrency=${2:-1}
shift $(( $# > 2 ? 2 : $# ))
variants=("$@")
if [ ${#variants[@]} -eq 0 ]; then
  variants=(raw encode decode no-layers trace timeout retry default mgmt-raw mgmt-token mgmt-default)
fi
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
# STACK_BIN: a bench binary built before (e.g. a copy from another commit),
# instead of building the current tree.
bin=${STACK_BIN:-}
[ -n "$bin" ] || bin=$(cargo bench --bench stack --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "stack" and m.get("executable"):
        print(m["executable"])')
outdir=${CALLGRIND_DIR:-target/callgrind}
mkdir -p "$outdir"
echo "| variant | calls | concurrency | instructions per call | malloc calls per call |"
echo "|---|---|---|---|---|"
for v in "${variants[@]}"; do
  out="$outdir/$v-c$concurrency.out"
  valgrind --tool=callgrind --toggle-collect='*measured_calls*' \
    --callgrind-out-file="$out" "$bin" "$v" --calls "$calls" --concurrency "$concurrency" \
    >/dev/null 2>&1
  total=$(awk '/^summary:|^totals:/ {print $2; exit}' "$out")
  # malloc calls: the sum of the `calls=` lines whose callee is malloc
  # (callgrind names a function once, then refers to it by its number).
  mallocs=$(python3 - "$out" "$calls" <<'PY'
import re, sys
names, total, callee = {}, 0, None
for line in open(sys.argv[1]):
    m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line.strip())
    if m:
        if m.group(2):
            names[m.group(1)] = m.group(2)
        if line.startswith("cfn="):
            callee = names.get(m.group(1))
    elif line.startswith("calls=") and callee is not None:
        if callee.split("'")[0] == "malloc":
            total += int(line.split()[0][6:])
        callee = None
print(f"{total / int(sys.argv[2]):.1f}")
PY
)
  echo "| $v | $calls | $concurrency | $(( total / calls )) | $mallocs |"
done
