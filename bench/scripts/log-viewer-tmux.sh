#!/usr/bin/env bash
# The log viewer (`waybill logs JOB STAGE --tui`) on a stage.log of 1,000,000 lines, driven in a real terminal (tmux):
# time from starting the command to the first screen of the log, and from pressing Enter on a search to the screen
# that shows the match, 999,990 lines down. `grep -n` of the same string over the same file is shown beside it.
#
# Usage:  bench/scripts/log-viewer-tmux.sh [LINES] [WORKDIR]
#   LINES    lines the stage prints (default 1000000)
#   WORKDIR  where the job folder and the tmux socket go (default .build/viewer-bench in the repository)
# Environment:
#   RUNS     timed passes of each measurement (default 5; the median and the best are printed)
#   WAYBILL  the program to drive (default: the build ./waybill runs, .build/cli/waybill after `./waybill --version`)
# Targets: first screen <= 0.5 s, search <= 1 s.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lines="${1:-1000000}"
work="${2:-$root/.build/viewer-bench}"
runs="${RUNS:-5}"
program="${WAYBILL:-$root/.build/cli/waybill}"
[ -x "$program" ] || { echo "no program at $program: run ./waybill --version first (builds it) or set WAYBILL" >&2; exit 1; }
command -v tmux >/dev/null || { echo "tmux is not installed (scripts/setup.sh installs it)" >&2; exit 1; }

mkdir -p "$work"
cd "$work"
socket="$work/tmux.sock"
export TMUX_TMPDIR="$work"
unset TMUX
tm() { tmux -S "$socket" "$@"; }
trap 'tm kill-server 2>/dev/null || true' EXIT

if [ ! -f out/big/01_big/stage.log ] || [ "$(wc -l < out/big/01_big/stage.log)" -lt "$lines" ]; then
  echo "writing a job whose stage prints $lines lines ..."
  rm -rf out/big
  # The needle is computed, so the command line recorded in stage.log does not hold it.
  cat > waybill.yaml <<YAML
stages:
  - id: 01_big
    env: { WAYBILL_OUTPUT_LIMIT: unlimited }
    run: "seq -f 'row %g of a long log, with enough words to look like a real line of output' 1 $((lines - 10)); echo needle-\$((6*7))-end; seq 1 9"
YAML
  WAYBILL_CACHE=off "$program" run waybill.yaml --job-id big >/dev/null
fi
log=out/big/01_big/stage.log
cat "$log" > /dev/null # into the page cache
echo "machine: $(nproc) cores; $log: $(wc -l < "$log") lines, $(stat -c %s "$log") bytes (page cache); program: $program"

now() { date +%s%N; }
# Polls the screen every 5 ms until it holds $1; prints the milliseconds since $2.
wait_for() {
  local text="$1" start="$2"
  until tm capture-pane -p 2>/dev/null | grep -qF -- "$text"; do sleep 0.005; done
  echo $(( ($(now) - start) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
best() { sort -n | head -n 1; }

first=(); search=()
for i in $(seq 1 "$runs"); do
  tm kill-server 2>/dev/null || true
  start=$(now)
  tm new-session -d -x 140 -y 40 -c "$work" "WAYBILL_CACHE=off '$program' logs big 01_big --tui; sleep 600"
  first+=("$(wait_for 'row 30 of a long log' "$start")")
  tm send-keys -l '/needle-42'
  until tm capture-pane -p | grep -qF '/needle-42'; do sleep 0.005; done
  start=$(now)
  tm send-keys Enter
  search+=("$(wait_for "'needle-42': line" "$start")")
  tm send-keys q
  until tm capture-pane -p | grep -qvF 'q quit' && ! tm capture-pane -p | grep -qF 'q quit'; do sleep 0.005; done
done
tm kill-server 2>/dev/null || true

start=$(now)
grep -n needle-42 "$log" > /dev/null
grep_ms=$(( ($(now) - start) / 1000000 ))

printf 'first screen: median %s ms, best %s ms (%s runs: %s)\n' "$(printf '%s\n' "${first[@]}" | median)" \
  "$(printf '%s\n' "${first[@]}" | best)" "$runs" "${first[*]}"
printf 'search to the match %s lines down: median %s ms, best %s ms (%s)\n' "$lines" "$(printf '%s\n' "${search[@]}" | median)" \
  "$(printf '%s\n' "${search[@]}" | best)" "${search[*]}"
printf 'grep -n of the same string (one pass, for scale): %s ms\n' "$grep_ms"
