#!/usr/bin/env bash
# 500 independent no-op command stages through `waybill run --jobs 2`, against the same 500 commands run by a
# plain shell: one after another (a plain bash loop: the target, waybill within 1.5x of it) and two at a time
# (xargs -P2, shown beside it).
#
# Usage:  bench/scripts/stages-vs-bash.sh [STAGES] [WORKDIR]
#   STAGES     number of stages (default 500; ids 001_s1 ... 500_s500, at most 9999)
#   WORKDIR    where the pipeline, the job folders and the shell's files go, in a new run-<time> folder that is
#              deleted at the end (KEEP=1 keeps it); default /tmp/waybill-stages-vs-bash; put it on /dev/shm to
#              take the disk out of the comparison
# Environment:
#   WAYBILL    the waybill command to time (default: the build ./waybill runs, native when a C toolchain is
#              installed; ./waybill builds it first when the sources changed)
#   RUNS       timed runs per command (default 5, after one warm-up run)
#
# Timing uses hyperfine when it is installed (apt-get install hyperfine), else a loop of `date +%s%N`.
# Every run writes into new folders: waybill makes a new job folder per run, and the shell's 500 folders are
# created (untimed) in a new folder before each run, so the shell only pays for its 500 `sh -c 'echo N > sN/o'`.
# Nothing is deleted until the end: on ext4, creating files soon after deleting many (rm -rf of earlier runs) makes
# the kernel's inode allocator scan past recently deleted inodes, which slows every file creation; for the same
# reason, leave a few minutes between two runs on ext4.
# The waybill time includes starting the program; a 1-stage pipeline is timed too, to show that fixed cost.
# `waybill, GNU time` is the same run with WAYBILL_PRECISE_RSS=1: every command runs under /usr/bin/time for an exact
# peak RSS even when it is tiny (by default only while the engine's own peak is above 64 MiB).
set -euo pipefail

stages="${1:-500}"
work="${2:-/tmp/waybill-stages-vs-bash}/run-$(date +%Y%m%d-%H%M%S)"
runs="${RUNS:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ -z "${WAYBILL:-}" ]; then
  "$root/waybill" --version >/dev/null
  if [ -f "$root/.build/cli/waybill.dll" ]; then WAYBILL="dotnet '$root/.build/cli/waybill.dll'"; else WAYBILL="'$root/.build/cli/waybill'"; fi
fi

mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"; rmdir "$(dirname "$work")" 2>/dev/null' EXIT
digits=$(( ${#stages} < 3 ? 3 : ${#stages} ))

# The pipeline: N independent stages, each writing its number into its one output.
pipeline() {
  local count="$1" i
  echo "name: stages-vs-bash"
  echo "description: $count independent no-op command stages"
  echo "stages:"
  for ((i = 1; i <= count; i++)); do
    printf '  - id: %0*d_s%d\n' "$digits" "$i" "$i"
    printf '    run: echo %d > {out.o}\n' "$i"
    printf '    outputs:\n      o: o\n'
  done
}
pipeline "$stages" > "$work/waybill.yaml"
pipeline 1 > "$work/one.yaml"

# The shell's side: the same commands, one `sh -c` each, into $work/shell/current (a new folder every run).
cat > "$work/prepare-shell.sh" <<PREP
set -e
dir="$work/shell/\$(date +%s%N)"
mkdir -p "\$dir" && cd "\$dir" && seq 1 $stages | sed 's/^/s/' | xargs mkdir
ln -sfn "\$dir" "$work/shell/current"
PREP
cat > "$work/shell-xargs.sh" <<XARGS
seq 1 $stages | xargs -P2 -I{} sh -c 'echo {} > "$work/shell/current/s{}/o"'
XARGS
cat > "$work/shell-loop.sh" <<LOOP
for i in \$(seq 1 $stages); do sh -c "echo \$i > '$work/shell/current/s\$i/o'"; done
LOOP

waybill_cmd="$WAYBILL run '$work/waybill.yaml' --jobs 2 --out '$work/out'"
precise_cmd="WAYBILL_PRECISE_RSS=1 $WAYBILL run '$work/waybill.yaml' --jobs 2 --out '$work/out-precise'"
one_cmd="$WAYBILL run '$work/one.yaml' --jobs 2 --out '$work/out-one'"
xargs_cmd="bash '$work/shell-xargs.sh'"
loop_cmd="bash '$work/shell-loop.sh'"

echo "machine: $(nproc) cores; $work is on $(df -T "$work" | awk 'NR==2 {print $2}'); waybill: $WAYBILL"
echo "pipeline: $stages stages ($work/waybill.yaml), $runs runs each after a warm-up"

declare -A mean
if command -v hyperfine >/dev/null; then
  hyperfine --shell bash --warmup 1 --runs "$runs" --export-json "$work/times.json" \
    --command-name "waybill --jobs 2" --prepare "true" "$waybill_cmd" \
    --command-name "xargs -P2" --prepare "bash '$work/prepare-shell.sh'" "$xargs_cmd" \
    --command-name "sequential loop" --prepare "bash '$work/prepare-shell.sh'" "$loop_cmd" \
    --command-name "waybill, GNU time" --prepare "true" "$precise_cmd" \
    --command-name "waybill, 1 stage" --prepare "true" "$one_cmd"
  while IFS=$'\t' read -r name value; do mean["$name"]="$value"; done < <(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["command"] + "\t" + repr(r["mean"]))' "$work/times.json")
else
  time_it() { # name prepare command
    local total=0 start end i
    for ((i = 0; i <= runs; i++)); do
      bash -c "$2"
      start=$(date +%s%N); bash -c "$3" >/dev/null; end=$(date +%s%N)
      [ "$i" -gt 0 ] && total=$((total + end - start))
    done
    mean["$1"]=$(awk -v t="$total" -v n="$runs" 'BEGIN { printf "%.6f", t / n / 1e9 }')
    printf '%-20s %8.3f s (mean of %d)\n' "$1" "${mean[$1]}" "$runs"
  }
  time_it "waybill --jobs 2" "true" "$waybill_cmd"
  time_it "xargs -P2" "bash '$work/prepare-shell.sh'" "$xargs_cmd"
  time_it "sequential loop" "bash '$work/prepare-shell.sh'" "$loop_cmd"
  time_it "waybill, GNU time" "true" "$precise_cmd"
  time_it "waybill, 1 stage" "true" "$one_cmd"
fi

# Check the last waybill job: every stage succeeded and wrote its number.
job=$(ls -td "$work"/out/*/ | head -n 1)
bad=0
for ((i = 1; i <= stages; i++)); do
  id=$(printf '%0*d_s%d' "$digits" "$i" "$i")
  [ "$(cat "$job/$id/o" 2>/dev/null)" = "$i" ] || bad=$((bad + 1))
  grep -q '"status": "success"' "$job/$id/manifest.json" 2>/dev/null || bad=$((bad + 1))
done
[ "$bad" -eq 0 ] || { echo "FAILED: $bad missing outputs or unsuccessful stages in $job" >&2; exit 1; }
echo "checked: $stages outputs and manifests in $job"
[ "$(ls "$work/shell/current" | wc -l)" -eq "$stages" ] && [ "$(cat "$work/shell/current/s$stages/o")" = "$stages" ] \
  || { echo "FAILED: the shell loop did not write its $stages files" >&2; exit 1; }

awk -v w="${mean[waybill --jobs 2]}" -v x="${mean[xargs -P2]}" -v l="${mean[sequential loop]}" -v o="${mean[waybill, 1 stage]}" -v d="${mean[waybill, GNU time]}" -v n="$stages" 'BEGIN {
  printf "\n%-28s %10s %14s\n", "", "mean (s)", "per stage (ms)"
  printf "%-28s %10.3f %14.3f\n", "waybill run --jobs 2", w, w / n * 1000
  printf "%-28s %10.3f %14.3f\n", "  same, GNU time for all", d, d / n * 1000
  printf "%-28s %10.3f %14.3f\n", "sequential sh -c loop", l, l / n * 1000
  printf "%-28s %10.3f %14.3f\n", "xargs -P2 sh -c", x, x / n * 1000
  printf "%-28s %10.3f\n", "waybill run, 1 stage", o
  printf "\nratio waybill / sequential loop:  %.2fx (target <= 1.5x: %s)\n", w / l, (w / l <= 1.5 ? "PASS" : "FAIL")
  printf "ratio waybill / xargs -P2:        %.2fx\n", w / x
  printf "ratio waybill, GNU time for all / sequential loop: %.2fx\n", d / l
  printf "ratio (waybill - 1-stage run) / sequential loop: %.2fx (start-up taken out)\n", (w - o) / l
}'
