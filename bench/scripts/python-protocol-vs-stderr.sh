#!/usr/bin/env bash
# How fast a Python stage's log lines reach stage.log: N logger.info calls through the Python client (one protocol
# message each, read by the engine from WAYBILL_STAGE_CHANNEL) against the same script printing N plain lines to
# stderr (read from the pipe as `stderr|` lines). Target: the logger at >= 50% of the stderr rate.
#
# Usage:  bench/scripts/python-protocol-vs-stderr.sh [LINES] [WORKDIR]
#   LINES      lines per run (default 100000)
#   WORKDIR    where the pipelines and job folders go, in a new run-<time> folder deleted at the end (KEEP=1 keeps
#              it); default /tmp/waybill-python-protocol
# Environment:
#   WAYBILL    the waybill command to time (default: the build ./waybill runs; ./waybill builds it first when needed)
#   PYTHON     the interpreter of the stages (default python3)
#   RUNS       timed runs of each kind, alternating (default 5, after one warm-up of each)
#
# Rates are lines per second of the stage as its manifest times it (duration_seconds: the command and the engine's
# reading of everything it sent, up to the final manifest), which leaves out the CLI's own start-up; the whole
# `waybill run` wall time and the script's own loop time (Python alone, writing) are shown beside them.
set -euo pipefail

lines="${1:-100000}"
work="${2:-/tmp/waybill-python-protocol}/run-$(date +%Y%m%d-%H%M%S)"
runs="${RUNS:-5}"
python="${PYTHON:-python3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bench/scripts/waybill-command.sh"

mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"; rmdir "$(dirname "$work")" 2>/dev/null' EXIT

cat > "$work/lines.py" <<'PY'
import os, sys, time
mode, count = sys.argv[1], int(sys.argv[2])
start = time.perf_counter()
if mode == "logger":
    from waybill import StageIO
    logger = StageIO("lines", os.environ["WAYBILL_JOB_DIR"]).get_stage_logger()
    for i in range(count):
        logger.info("line %d of the benchmark", i)
else:
    for i in range(count):
        print("line %d of the benchmark" % i, file=sys.stderr)
with open(os.path.join(os.environ["WAYBILL_STAGE_DIR"], "loop-seconds.txt"), "w") as file:
    file.write("%.6f\n" % (time.perf_counter() - start))
PY
for mode in logger stderr; do
  cat > "$work/$mode.yaml" <<YAML
name: python-$mode
stages:
  - id: 01_lines
    inputs: { script: lines.py }
    run: $python {in.script} $mode $lines
YAML
done

echo "machine: $(nproc) cores; $work is on $(df -T "$work" | awk 'NR==2 {print $2}'); waybill: $WAYBILL; $($python --version)"
echo "$lines lines per run, $runs runs of each after a warm-up"

# One run: prints "stage-seconds wall-seconds loop-seconds" and checks that every line reached stage.log.
one() { # mode job
  local mode="$1" job="$2" start end
  start=$(date +%s%N)
  $WAYBILL run "$work/$mode.yaml" --out "$work/out" --job-id "$job" >/dev/null 2>&1 || { echo "run $job failed" >&2; exit 1; }
  end=$(date +%s%N)
  local dir="$work/out/$job/01_lines" pattern
  if [ "$mode" = logger ]; then pattern='\[stage.lines\] \[INFO\] line [0-9]* of the benchmark$'; else pattern='\[DEBUG\] stderr| line [0-9]* of the benchmark$'; fi
  local got; got=$(grep -c "$pattern" "$dir/stage.log" || true)
  [ "$got" -eq "$lines" ] || { echo "FAILED: $job: $got of $lines lines in stage.log" >&2; exit 1; }
  local stage; stage=$(sed -n 's/^  "duration_seconds": \([0-9.]*\),$/\1/p' "$dir/manifest.json" | head -n 1)
  echo "$stage $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 1e9 }') $(cat "$dir/loop-seconds.txt")"
  rm -rf "$work/out/$job"
}

one logger warm-logger >/dev/null
one stderr warm-stderr >/dev/null
: > "$work/logger.txt"; : > "$work/stderr.txt"
for ((i = 1; i <= runs; i++)); do
  one logger "logger-$i" >> "$work/logger.txt"
  one stderr "stderr-$i" >> "$work/stderr.txt"
done

summary() { # file: median stage seconds, median wall, median loop
  for col in 1 2 3; do
    awk -v c="$col" '{ print $c }' "$1" | sort -n | awk '{ v[NR] = $1 } END { printf "%s ", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
  done
}
read -r ls lw ll <<<"$(summary "$work/logger.txt")"
read -r ss sw sl <<<"$(summary "$work/stderr.txt")"
awk -v n="$lines" -v ls="$ls" -v lw="$lw" -v ll="$ll" -v ss="$ss" -v sw="$sw" -v sl="$sl" 'BEGIN {
  printf "\n%-30s %12s %14s %12s %14s\n", "median of runs", "stage (s)", "lines/s", "run wall (s)", "python loop (s)"
  printf "%-30s %12.3f %14.0f %12.3f %14.3f\n", "logger.info via the protocol", ls, n / ls, lw, ll
  printf "%-30s %12.3f %14.0f %12.3f %14.3f\n", "print to stderr", ss, n / ss, sw, sl
  ratio = (n / ls) / (n / ss)
  printf "\nratio logger / stderr (lines per second of the stage): %.2f (target >= 0.50: %s)\n", ratio, (ratio >= 0.5 ? "PASS" : "FAIL")
  printf "ratio of the python loops alone (stderr loop / logger loop): %.2f\n", sl / ll
}'
