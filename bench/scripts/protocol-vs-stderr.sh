#!/usr/bin/env bash
# The rate of the stage protocol against plain output. One command stage sends N `log` messages (level debug) over
# its stage channel (WAYBILL_STAGE_CHANNEL: one JSON line per write() on an O_APPEND descriptor, as
# docs/stage-protocol.md asks); the same stage written the other way prints N plain lines to stderr. Both land in
# stage.log and events.jsonl as DEBUG lines; the protocol's are parsed and merged on the way. Each `waybill run` is
# timed whole (writer, engine, start-up) and the rate is N / that time; the ratio is protocol / stderr, target >= 0.5.
#
# Writers (WRITERS, default "bash python3 cat"):
#   bash     a bash loop of printf, to fd 3 (the channel, opened once with >>) or to fd 2: the same work both ways
#   python3  a python3 loop of os.write, the channel's lines made with json.dumps as a client would
#   cat      cat of a file of N ready lines: the writer costs next to nothing, so this is the engine's own rate
#
# Usage:  bench/scripts/protocol-vs-stderr.sh [MESSAGES] [WORKDIR]
#   MESSAGES   lines per stage (default 100000)
#   WORKDIR    where the pipelines and job folders go, in a new run-<time> folder deleted at the end (KEEP=1 keeps it);
#              default /tmp/waybill-protocol-vs-stderr
# Environment:
#   WAYBILL    the waybill command to time (default: the build ./waybill runs)
#   RUNS       timed runs per writer and destination (default 5, after one warm-up run), alternating between them
set -euo pipefail

messages="${1:-100000}"
work="${2:-/tmp/waybill-protocol-vs-stderr}/run-$(date +%Y%m%d-%H%M%S)"
runs="${RUNS:-5}"
writers="${WRITERS:-bash python3 cat}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ -z "${WAYBILL:-}" ]; then
  "$root/waybill" --version >/dev/null
  if [ -f "$root/.build/cli/waybill.dll" ]; then WAYBILL="dotnet '$root/.build/cli/waybill.dll'"; else WAYBILL="'$root/.build/cli/waybill'"; fi
fi
mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"; rmdir "$(dirname "$work")" 2>/dev/null' EXIT

cat > "$work/bash-writer.sh" <<'EOF'
n="$1"
if [ "$2" = channel ]; then
  exec 3>>"$WAYBILL_STAGE_CHANNEL"
  for ((i = 1; i <= n; i++)); do printf '{"type":"log","level":"debug","message":"line %d of the writer"}\n' "$i" >&3; done
else
  for ((i = 1; i <= n; i++)); do printf 'line %d of the writer\n' "$i" >&2; done
fi
EOF
cat > "$work/python3-writer.py" <<'EOF'
import json, os, sys
n, to = int(sys.argv[1]), sys.argv[2]
if to == "channel":
    fd = os.open(os.environ["WAYBILL_STAGE_CHANNEL"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    for i in range(1, n + 1):
        os.write(fd, (json.dumps({"type": "log", "level": "debug", "message": f"line {i} of the writer"}) + "\n").encode())
else:
    for i in range(1, n + 1):
        os.write(2, f"line {i} of the writer\n".encode())
EOF
for ((i = 1; i <= messages; i++)); do printf '{"type":"log","level":"debug","message":"line %d of the writer"}\n' "$i"; done > "$work/messages.jsonl"
for ((i = 1; i <= messages; i++)); do printf 'line %d of the writer\n' "$i"; done > "$work/lines.txt"

for writer in $writers; do
  for to in channel stderr; do
    case "$writer-$to" in
      bash-*) run="bash '$work/bash-writer.sh' $messages $to" ;;
      python3-*) run="python3 '$work/python3-writer.py' $messages $to" ;;
      cat-channel) run="cat '$work/messages.jsonl' >> \"\$WAYBILL_STAGE_CHANNEL\"" ;;
      cat-stderr) run="cat '$work/lines.txt' >&2" ;;
    esac
    printf 'name: %s-%s\nstages:\n  - id: 01_write\n    run: %s\n' "$writer" "$to" "$run" > "$work/$writer-$to.yaml"
  done
done
printf 'name: empty\nstages:\n  - id: 01_write\n    run: "true"\n' > "$work/empty.yaml"

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); waybill: $WAYBILL; $messages messages per stage; $runs runs each"
declare -A total
time_once() { # key pipeline
  local start end
  start=$(date +%s%N)
  eval "$WAYBILL run '$2' --out '$work/out' --jobs 1" >/dev/null 2>&1 || { echo "FAILED: waybill run $2" >&2; exit 1; }
  end=$(date +%s%N)
  total[$1]=$(( ${total[$1]:-0} + end - start ))
}
time_once warmup "$work/empty.yaml"
for writer in $writers; do
  for to in channel stderr; do time_once warmup "$work/$writer-$to.yaml"; done
done
for ((r = 1; r <= runs; r++)); do
  time_once empty "$work/empty.yaml"
  for writer in $writers; do
    for to in channel stderr; do time_once "$writer-$to" "$work/$writer-$to.yaml"; done
  done
done

# Every protocol job holds every message in stage.log, and no warning about its channel.
for writer in $writers; do
  for job in $(grep -l "^name: $writer-channel" "$work"/out/*/.waybill/pipeline.yaml | xargs -n1 dirname | xargs -n1 dirname); do
    lines=$(grep -c '\] \[DEBUG\] line [0-9]* of the writer$' "$job/01_write/stage.log" || true)
    [ "$lines" -eq "$messages" ] || { echo "FAILED: $lines of $messages messages in $job/01_write/stage.log" >&2; exit 1; }
    ! grep -q 'stage channel of' "$job/01_write/manifest.json" || { echo "FAILED: channel warnings in $job" >&2; exit 1; }
  done
done

printf '\nan empty run (start-up, one stage): %.3f s\n' "$(awk -v t="${total[empty]}" -v r="$runs" 'BEGIN { print t / r / 1e9 }')"
printf '%-10s %12s %12s %14s %14s %8s\n' writer "channel (s)" "stderr (s)" "channel msg/s" "stderr lines/s" ratio
for writer in $writers; do
  awk -v n="$messages" -v runs="$runs" -v w="$writer" -v ch="${total[$writer-channel]}" -v er="${total[$writer-stderr]}" 'BEGIN {
    ch /= runs * 1e9; er /= runs * 1e9
    printf "%-10s %12.3f %12.3f %14.0f %14.0f %8.2f  %s\n", w, ch, er, n / ch, n / er, er / ch, (er / ch >= 0.5 ? "PASS (>= 0.5)" : "FAIL (< 0.5)")
  }'
done
echo "messages per second of the whole run (writer, engine, start-up); ratio = protocol rate / stderr rate"
