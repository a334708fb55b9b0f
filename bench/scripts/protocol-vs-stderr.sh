#!/usr/bin/env bash
# The rate of the stage protocol against plain output: one command stage writes N `log` messages (level debug) to its
# stage channel (WAYBILL_STAGE_CHANNEL, one JSON line per write on an O_APPEND descriptor, as docs/stage-protocol.md
# asks), the same stage written the other way writes N plain lines to stderr. Both land in stage.log (and
# events.jsonl) as DEBUG lines; the protocol's lines are also parsed and merged. Printed: the mean wall time of each
# `waybill run`, the rate (messages per second, after the time of the same run writing nothing), and the ratio
# protocol / stderr. The target is a ratio of at least 0.5.
#
# Usage:  bench/scripts/protocol-vs-stderr.sh [MESSAGES] [WORKDIR]
#   MESSAGES   lines per stage (default 100000)
#   WORKDIR    where the pipelines and job folders go, in a new run-<time> folder deleted at the end (KEEP=1 keeps it);
#              default /tmp/waybill-protocol-vs-stderr
# Environment:
#   WAYBILL    the waybill command to time (default: the build ./waybill runs)
#   RUNS       timed runs per writer (default 5, after one warm-up run), alternating between the writers
#   WRITERS    which writers (default "bash python3"): each is timed both ways
set -euo pipefail

messages="${1:-100000}"
work="${2:-/tmp/waybill-protocol-vs-stderr}/run-$(date +%Y%m%d-%H%M%S)"
runs="${RUNS:-5}"
writers="${WRITERS:-bash python3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ -z "${WAYBILL:-}" ]; then
  "$root/waybill" --version >/dev/null
  if [ -f "$root/.build/cli/waybill.dll" ]; then WAYBILL="dotnet '$root/.build/cli/waybill.dll'"; else WAYBILL="'$root/.build/cli/waybill'"; fi
fi
mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

# The writers: the same loop, to the channel or to stderr. Each channel message is one write() of a whole line.
cat > "$work/bash-writer.sh" <<'EOF'
n="$1"; to="$2"
if [ "$to" = channel ]; then
  exec 3>>"$WAYBILL_STAGE_CHANNEL"
  for ((i = 1; i <= n; i++)); do printf '{"type":"log","level":"debug","message":"line %d of the writer"}\n' "$i" >&3; done
elif [ "$to" = stderr ]; then
  for ((i = 1; i <= n; i++)); do printf 'line %d of the writer\n' "$i" >&2; done
else
  for ((i = 1; i <= n; i++)); do printf 'line %d of the writer\n' "$i" >/dev/null; done
fi
EOF
cat > "$work/python3-writer.py" <<'EOF'
import json, os, sys
n, to = int(sys.argv[1]), sys.argv[2]
if to == "channel":
    fd = os.open(os.environ["WAYBILL_STAGE_CHANNEL"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    for i in range(1, n + 1):
        os.write(fd, (json.dumps({"type": "log", "level": "debug", "message": f"line {i} of the writer"}) + "\n").encode())
elif to == "stderr":
    for i in range(1, n + 1):
        os.write(2, f"line {i} of the writer\n".encode())
else:
    fd = os.open(os.devnull, os.O_WRONLY)
    for i in range(1, n + 1):
        os.write(fd, f"line {i} of the writer\n".encode())
EOF

pipeline() { # writer destination count
  local run
  case "$1" in
    bash) run="bash '$work/bash-writer.sh' $3 $2" ;;
    python3) run="python3 '$work/python3-writer.py' $3 $2" ;;
  esac
  printf 'name: %s-%s\nstages:\n  - id: 01_write\n    run: %s\n' "$1" "$2" "$run"
}
for writer in $writers; do
  for to in channel stderr; do pipeline "$writer" "$to" "$messages" > "$work/$writer-$to.yaml"; done
  pipeline "$writer" none "$messages" > "$work/$writer-none.yaml"
done

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); waybill: $WAYBILL; $messages messages per stage; $runs runs each"
declare -A total
time_once() { # key pipeline
  local start end
  start=$(date +%s%N)
  eval "$WAYBILL run '$2' --out '$work/out' --jobs 1" >/dev/null 2>&1 || { echo "FAILED: waybill run $2" >&2; exit 1; }
  end=$(date +%s%N)
  total[$1]=$(( ${total[$1]:-0} + end - start ))
}
for writer in $writers; do
  for to in none channel stderr; do time_once warmup "$work/$writer-$to.yaml"; done
done
for ((r = 1; r <= runs; r++)); do
  for writer in $writers; do
    for to in none channel stderr; do time_once "$writer-$to" "$work/$writer-$to.yaml"; done
  done
done

# The last protocol job must hold every message in stage.log, and no warning about the channel.
for writer in $writers; do
  job=$(grep -l "^name: $writer-channel" "$work"/out/*/.waybill/pipeline.yaml | tail -n 1 | xargs dirname | xargs dirname)
  lines=$(grep -c '\] \[DEBUG\] line [0-9]* of the writer$' "$job/01_write/stage.log" || true)
  [ "$lines" -eq "$messages" ] || { echo "FAILED: $lines of $messages messages in $job/01_write/stage.log" >&2; exit 1; }
  ! grep -q 'stage channel of' "$job/01_write/manifest.json" || { echo "FAILED: channel warnings in $job" >&2; exit 1; }
done

printf '\n%-10s %12s %12s %12s %14s %14s %8s\n' writer "none (s)" "channel (s)" "stderr (s)" "channel msg/s" "stderr lines/s" ratio
for writer in $writers; do
  awk -v n="$messages" -v runs="$runs" -v w="$writer" -v none="${total[$writer-none]}" -v ch="${total[$writer-channel]}" -v er="${total[$writer-stderr]}" 'BEGIN {
    none /= runs * 1e9; ch /= runs * 1e9; er /= runs * 1e9
    cr = n / (ch - none); sr = n / (er - none)
    printf "%-10s %12.3f %12.3f %12.3f %14.0f %14.0f %8.2f  %s\n", w, none, ch, er, cr, sr, cr / sr, (cr / sr >= 0.5 ? "PASS (>= 0.5)" : "FAIL (< 0.5)")
  }'
done
echo "rates count the time past the same run writing nothing (none: the writer's loop, output to /dev/null)"
