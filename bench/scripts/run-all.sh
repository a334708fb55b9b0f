#!/usr/bin/env bash
# Runs every Waybill benchmark and writes the results under OUTDIR (default /tmp/waybill-bench-results):
#   bdn.log                 the BenchmarkDotNet suite (tracking, stage lifecycle, logging, hashing)
#   stages-vs-bash.log      500 command stages vs a shell loop (bench/scripts/stages-vs-bash.sh), on disk
#   stages-vs-bash-tmpfs.log  the same on tmpfs
#   protocol-vs-stderr.log  100,000 log messages over the stage channel vs stderr lines (protocol-vs-stderr.sh), tmpfs
#   python-protocol-vs-stderr.log  100,000 logger.info calls of the Python client vs prints to stderr, on disk
#   hash-vs-coreutils.log   FileHasher vs md5sum / sha256sum / xxhsum (bench/scripts/hash-vs-coreutils.sh)
#   machine.txt             cores, CPU, file systems of the folders used
# Each log ends with a "background" line: the CPU seconds other processes used while it ran. Benchmarks on a shared
# 2-core machine are only comparable when that figure is near zero; QUIET=1 waits (up to 30 min) for an idle machine
# before each part.
#
# Usage:  bench/scripts/run-all.sh [BDN_FILTER]     (default '*'; e.g. '*Track*')
# Environment: ARTIFACTS (default /tmp/benchart), OUTDIR, QUIET, PARTS (a subset of
# "bdn stages-vs-bash stages-vs-bash-tmpfs protocol-vs-stderr python-protocol-vs-stderr hash-vs-coreutils"), and those
# of the scripts.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
artifacts="${ARTIFACTS:-/tmp/benchart}"
outdir="${OUTDIR:-/tmp/waybill-bench-results}"
filter="${1:-*}"
mkdir -p "$outdir"
cd "$root"
# The same folders as the BenchmarkDotNet suite uses (see bench/Waybill.Benchmarks/BenchDirs.cs).
tmpfs="${WAYBILL_BENCH_TMPFS:-/dev/shm/waybill-bench}"
disk="${WAYBILL_BENCH_DISK:-/var/tmp/waybill-bench}"
mkdir -p "$tmpfs" "$disk"

echo "building (Release, artifacts in $artifacts) ..."
dotnet build bench/Waybill.Benchmarks -c Release --artifacts-path "$artifacts" --nologo -v quiet -tl:off >/dev/null
dotnet build src/Waybill.Cli -c Release --artifacts-path "$artifacts" --nologo -v quiet -tl:off >/dev/null
for built in "$artifacts/bin/Waybill.Benchmarks/release/Waybill.Benchmarks.dll" "$artifacts/bin/Waybill.Cli/release/waybill.dll"; do
  [ -f "$built" ] || { echo "build left no $built" >&2; exit 1; }
done

{
  echo "cores: $(nproc)"
  grep -m1 'model name' /proc/cpuinfo || true
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  df -T "$tmpfs" "$disk" | awk 'NR == 1 || !seen[$0]++'
  dotnet --version
} > "$outdir/machine.txt"
cat "$outdir/machine.txt"

# Busy CPU ticks of the whole machine (user+nice+system+irq+softirq+steal), from /proc/stat.
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
hz=$(getconf CLK_TCK)
# CPU ticks of this shell and its finished children (utime + stime + cutime + cstime).
self_ticks() { sed 's/^.*) //' /proc/$$/stat | awk '{print $12 + $13 + $14 + $15}'; }

wait_quiet() {
  [ "${QUIET:-0}" = 1 ] || return 0
  local i a b
  for ((i = 0; i < 180; i++)); do
    a=$(busy); sleep 10; b=$(busy)
    # under 0.1 CPU-second per second busy over 10 s
    if [ $((b - a)) -lt $((hz * 10 / 10)) ]; then return 0; fi
  done
  echo "machine never went quiet; running anyway" >&2
}

# run NAME COMMAND...: runs it into $outdir/NAME.log and appends the CPU other processes used meanwhile.
run() {
  local name="$1"; shift
  wait_quiet
  local b0 t0 b1 t1 self
  b0=$(busy); t0=$(date +%s%N)
  local c0; c0=$(self_ticks)
  "$@" 2>&1 | tee "$outdir/$name.log"
  b1=$(busy); t1=$(date +%s%N)
  local c1; c1=$(self_ticks)
  self=$((c1 - c0))
  awk -v total=$((b1 - b0)) -v self="$self" -v hz="$hz" -v wall=$(((t1 - t0) / 1000000)) 'BEGIN {
    printf "background: %.1f CPU-s used by other processes during %.1f s (this run: %.1f CPU-s)\n", (total - self) / hz, wall / 1000, self / hz }' \
    | tee -a "$outdir/$name.log"
}

parts=" ${PARTS:-bdn stages-vs-bash stages-vs-bash-tmpfs protocol-vs-stderr python-protocol-vs-stderr hash-vs-coreutils} "
[[ "$parts" != *" bdn "* ]] || run bdn dotnet "$artifacts/bin/Waybill.Benchmarks/release/Waybill.Benchmarks.dll" --filter "$filter" --artifacts "$outdir/bdn"
[[ "$parts" != *" stages-vs-bash "* ]] || run stages-vs-bash bench/scripts/stages-vs-bash.sh 500 "$disk/stages-vs-bash"
[[ "$parts" != *" stages-vs-bash-tmpfs "* ]] || run stages-vs-bash-tmpfs bench/scripts/stages-vs-bash.sh 500 "$tmpfs/stages-vs-bash"
[[ "$parts" != *" protocol-vs-stderr "* ]] || run protocol-vs-stderr bench/scripts/protocol-vs-stderr.sh 100000 "$tmpfs/protocol-vs-stderr"
[[ "$parts" != *" python-protocol-vs-stderr "* ]] \
  || run python-protocol-vs-stderr bench/scripts/python-protocol-vs-stderr.sh 100000 "$disk/python-protocol-vs-stderr"
[[ "$parts" != *" hash-vs-coreutils "* ]] || run hash-vs-coreutils env BENCH_DLL="$artifacts/bin/Waybill.Benchmarks/release/Waybill.Benchmarks.dll" bench/scripts/hash-vs-coreutils.sh
echo "results in $outdir"
