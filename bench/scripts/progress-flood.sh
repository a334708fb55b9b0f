#!/usr/bin/env bash
# What a flood of `progress` messages costs the engine. One command stage appends N ready progress lines to its stage
# channel (cat of a file: the writer costs next to nothing, so this is the engine's own cost of reading, parsing and
# showing them); the same stage written the other way appends the same lines to a plain file in its folder, which the
# engine never reads. A Python stage makes N `io.report_progress` calls through the bundled client, against the same loop
# without the call. Each `waybill run` is timed whole; the figure is the mean extra time per message.
#
# Usage:  bench/scripts/progress-flood.sh [MESSAGES] [WORKDIR]
#   MESSAGES   progress messages per stage (default 1000000)
#   WORKDIR    where the pipelines and job folders go, in a new run-<time> folder deleted at the end (KEEP=1 keeps it);
#              default /tmp/waybill-progress-flood
# Environment:
#   WAYBILL    the waybill command to time (default: the build ./waybill runs)
#   RUNS       timed runs of each pipeline (default 3, after one warm-up run), alternating between them
set -euo pipefail

messages="${1:-1000000}"
work="${2:-/tmp/waybill-progress-flood}/run-$(date +%Y%m%d-%H%M%S)"
runs="${RUNS:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ -z "${WAYBILL:-}" ]; then
  "$root/waybill" --version >/dev/null
  if [ -f "$root/.build/cli/waybill.dll" ]; then WAYBILL="dotnet '$root/.build/cli/waybill.dll'"; else WAYBILL="'$root/.build/cli/waybill'"; fi
fi
mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"; rmdir "$(dirname "$work")" 2>/dev/null' EXIT

seq 1 "$messages" | sed "s/.*/{\"type\":\"progress\",\"done\":&,\"total\":$messages,\"unit\":\"frames\"}/" > "$work/progress.jsonl"
printf '%s\n' 'import sys' 'from waybill import StageIO' 'io, n = StageIO("py"), int(sys.argv[1])' \
  'for done in range(1, n + 1):' '    if sys.argv[2] == "report":' '        io.report_progress(done, n, "frames")' > "$work/python-stage.py"
stage() { printf 'name: %s\nstages:\n  - id: 01_flood\n    run: %s\n' "$1" "$2" > "$work/$1.yaml"; }
stage cat-channel "cat '$work/progress.jsonl' >> \"\$WAYBILL_STAGE_CHANNEL\""
stage cat-file "cat '$work/progress.jsonl' >> plain.jsonl"
stage python-report "python3 '$work/python-stage.py' $messages report"
stage python-loop "python3 '$work/python-stage.py' $messages loop"

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); waybill: $WAYBILL; $messages messages; $runs runs each"
declare -A total
time_once() { # name
  local start end
  start=$(date +%s%N)
  eval "$WAYBILL run '$work/$1.yaml' --out '$work/out' --jobs 1" >/dev/null 2>&1 || { echo "FAILED: waybill run $1" >&2; exit 1; }
  end=$(date +%s%N)
  total[$1]=$(( ${total[$1]:-0} + end - start ))
}
names="cat-channel cat-file python-report python-loop"
for name in $names; do time_once "$name"; done
total=()
for ((r = 0; r < runs; r++)); do for name in $names; do time_once "$name"; done; done
for name in $names; do printf '%-14s %8.3f s\n' "$name" "$(echo "${total[$name]} / $runs / 1000000000" | bc -l)"; done
per() { echo "(${total[$1]} - ${total[$2]}) / $runs / $messages" | bc -l; }
printf 'engine, per progress message read:      %6.0f ns\n' "$(per cat-channel cat-file)"
printf 'python client, per report_progress call: %6.0f ns\n' "$(per python-report python-loop)"
