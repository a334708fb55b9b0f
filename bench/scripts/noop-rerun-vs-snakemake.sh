#!/usr/bin/env bash
# The no-op decision: after one real run of a DAG of 1,000 command stages (10 chains of 100, each stage reading its
# predecessor's output) with 10,000 tracked output files of 1 GiB in all, how long it takes to decide that nothing
# needs to run again:
#   waybill run PIPELINE --job-id J --out DIR --dry-run      and a real   waybill run PIPELINE --job-id J --out DIR
#   snakemake -n                                             and a real   snakemake
# on the equivalent Snakefile, with the ratios. After each timed re-run the script counts the outputs that were
# rewritten, so a re-run that did work instead of deciding "up to date" shows as such.
#
# Usage:  bench/scripts/noop-rerun-vs-snakemake.sh [WORKDIR]
#   WORKDIR    where the pipeline, the Snakefile and both sets of outputs go, in a new run-<time> folder deleted at
#              the end (KEEP=1 keeps it); default /var/tmp/waybill-bench/noop-rerun (2 GiB of space needed)
# Environment:
#   CHAINS, STEPS   the DAG: CHAINS chains of STEPS stages (default 10 and 100; at most 9,999 stages)
#   OUTPUTS         tracked outputs per stage (default 10; at most 10)
#   FILE_BYTES      bytes per output (default 107374: 10,000 files make 1 GiB)
#   RUNS            timed no-op runs per command (default 5); the first is shown apart, since it may still do
#                   one-time work (a stat cache rebuilt, metadata written)
#   JOBS            parallel stages for the real runs (default 2)
#   ARTIFACTS       build output folder for `dotnet build --artifacts-path` (default /tmp/benchart)
#   WAYBILL_DLL     a built waybill.dll to use instead of building src/Waybill.Cli
#
# snakemake is Debian's package; it is installed (apt-get install -y snakemake) when missing. Both tools run the
# same shell command per stage: read the predecessor's first output, write OUTPUTS files of FILE_BYTES random bytes.
set -euo pipefail

chains="${CHAINS:-10}"
steps="${STEPS:-100}"
outputs="${OUTPUTS:-10}"
file_bytes="${FILE_BYTES:-107374}"
runs="${RUNS:-5}"
jobs="${JOBS:-2}"
work="${1:-/var/tmp/waybill-bench/noop-rerun}/run-$(date +%Y%m%d-%H%M%S)"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
artifacts="${ARTIFACTS:-/tmp/benchart}"
dll="${WAYBILL_DLL:-$artifacts/publish/waybill/waybill.dll}"
[ "$outputs" -ge 1 ] && [ "$outputs" -le 10 ] || { echo "OUTPUTS must be 1 to 10" >&2; exit 2; }
[ $((chains * steps)) -le 9999 ] || { echo "CHAINS x STEPS must be at most 9999" >&2; exit 2; }

if ! command -v snakemake >/dev/null; then
  echo "installing snakemake (Debian package) ..."
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get install -y snakemake >/dev/null || { $sudo_cmd apt-get update >/dev/null && $sudo_cmd apt-get install -y snakemake >/dev/null; }
fi
if [ -z "${WAYBILL_DLL:-}" ]; then
  # Published as ./waybill runs it: ReadyToRun, so start-up is not spent in the JIT.
  echo "publishing src/Waybill.Cli (Release, ReadyToRun) into $artifacts/publish/waybill ..."
  dotnet publish "$root/src/Waybill.Cli" -c Release -r "linux-$(case "$(uname -m)" in aarch64|arm64) echo arm64;; *) echo x64;; esac)" --self-contained false -p:PublishReadyToRun=true \
    --artifacts-path "$artifacts" -o "$artifacts/publish/waybill" --nologo -v quiet -tl:off >/dev/null
fi
[ -f "$dll" ] || { echo "no waybill.dll at $dll" >&2; exit 1; }

mkdir -p "$work/snakemake"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"; rmdir "$(dirname "$work")" 2>/dev/null' EXIT
stage_bytes=$((file_bytes * outputs))
# Every stage: read the predecessor's first output, then write o0 … o(N-1) in its folder.
make_outputs="head -c $stage_bytes /dev/urandom | split -b $file_bytes -d -a 1 -"

# (a) The Waybill pipeline. Stage numbers interleave the chains (step by step), ids like 0012_c02s002.
{
  echo "name: noop-rerun"
  echo "description: $chains chains of $steps command stages, $outputs tracked outputs of $file_bytes bytes each"
  echo "stages:"
  for ((s = 1; s <= steps; s++)); do
    for ((c = 1; c <= chains; c++)); do
      n=$(((s - 1) * chains + c))
      printf '  - id: %04d_c%02ds%03d\n' "$n" "$c" "$s"
      if ((s > 1)); then
        printf '    inputs:\n      prev: %04d_c%02ds%03d.o0\n' "$((n - chains))" "$c" "$((s - 1))"
        printf '    run: cat {in.prev} > /dev/null && %s o\n' "$make_outputs"
      else
        printf '    run: %s o\n' "$make_outputs"
      fi
      printf '    outputs:\n'
      for ((i = 0; i < outputs; i++)); do printf '      o%d: o%d\n' "$i" "$i"; done
    done
  done
} > "$work/waybill.yaml"

# (b) The same DAG for snakemake: one rule, the step's predecessor computed from the wildcards.
cat > "$work/snakemake/Snakefile" <<SNAKE
CHAINS, STEPS, OUTPUTS = $chains, $steps, $outputs

def outputs_of(c, s):
    return [f"c{c:02d}/s{s:03d}/o{i}" for i in range(OUTPUTS)]

rule all:
    input: [path for c in range(1, CHAINS + 1) for s in range(1, STEPS + 1) for path in outputs_of(c, s)]

wildcard_constraints:
    c = r"\d\d",
    s = r"\d\d\d"

def previous(wildcards):
    s = int(wildcards.s)
    return [] if s == 1 else [f"c{wildcards.c}/s{s - 1:03d}/o0"]

rule step:
    input: previous
    output: [f"c{{c}}/s{{s}}/o{i}" for i in range(OUTPUTS)]
    shell: "cat {input} /dev/null > /dev/null && $make_outputs c{wildcards.c}/s{wildcards.s}/o"
SNAKE

stages=$((chains * steps))
files=$((stages * outputs))
echo "machine: $(nproc) cores; $work is on $(df -T "$work" | awk 'NR==2 {print $2}'); $(snakemake --version | sed 's/^/snakemake /')"
echo "DAG: $stages stages ($chains chains of $steps), $files tracked files of $file_bytes bytes ($((files * file_bytes)) bytes)"

waybill=(dotnet "$dll" run "$work/waybill.yaml" --job-id noop --out "$work/out")
job="$work/out/noop"

seconds_of() {
  local start end
  start=$(date +%s%N); "$@" > "$work/last.log" 2>&1 || { echo "failed: $*" >&2; tail -n 20 "$work/last.log" >&2; exit 1; }; end=$(date +%s%N)
  awk -v t=$((end - start)) 'BEGIN { printf "%.3f", t / 1e9 }'
}

echo
echo "real runs (--jobs $jobs / -c$jobs):"
echo "  waybill run:  $(seconds_of "${waybill[@]}" --jobs "$jobs") s"
echo "  snakemake:    $(cd "$work/snakemake" && seconds_of snakemake -c"$jobs" --quiet) s"
[ "$(find "$job" -name 'o[0-9]' -type f | wc -l)" -eq "$files" ] || { echo "waybill left $(find "$job" -name 'o[0-9]' -type f | wc -l) outputs, not $files" >&2; exit 1; }
[ "$(find "$work/snakemake" -name 'o[0-9]' -type f | wc -l)" -eq "$files" ] || { echo "snakemake left fewer than $files outputs" >&2; exit 1; }
# Both tools compare times; a second between the run and the re-runs keeps every output clearly older.
sleep 2

# The line of a run's output that sums up its decision: waybill's first line (dry run) or its pipeline summary,
# snakemake's "Nothing to be done"; else the last line.
verdict() {
  { grep -m1 -E '^Pipeline [^ ]+, job .*would run|Pipeline [^ ]+: [A-Z]+ \(|Nothing to be done' "$1" || grep -v '^\s*$' "$1" | tail -n 1; } |
    sed 's/^\[[^]]*\] \[pipeline\] \[INFO\] //' | cut -c1-160
}

# time_noop NAME DIR COMMAND…: RUNS runs; prints the first, the mean and best of the others, and how many outputs each rewrote.
declare -A mean=()
time_noop() {
  local name="$1" dir="$2" i t first="" rest=() rewritten marker="$work/marker"
  shift 2
  for ((i = 0; i < runs; i++)); do
    touch "$marker"; sleep 0.01
    t=$(cd "$dir" && seconds_of "$@")
    rewritten=$(find "$dir" -name 'o[0-9]' -type f -newer "$marker" | wc -l)
    if [ -z "$first" ]; then first="$t (rewrote $rewritten outputs)"; else rest+=("$t"); fi
    last_rewritten=$rewritten
  done
  local summary
  summary=$(printf '%s\n' "${rest[@]:-$t}" | awk '{ s += $1; if (min == "" || $1 < min) min = $1 } END { printf "%.3f %.3f", s / NR, min }')
  mean["$name"]=${summary% *}
  printf '  %-34s first %s; then mean %s s, best %s s; last run rewrote %s of %s outputs\n' "$name" "$first" "${summary% *}" "${summary#* }" "$last_rewritten" "$files"
  echo "    says: $(verdict "$work/last.log")"
}

echo
echo "no-op decisions ($runs runs each; load before: $(cut -d' ' -f1-3 /proc/loadavg)):"
time_noop "waybill run --dry-run" "$work" "${waybill[@]}" --dry-run
time_noop "snakemake -n" "$work/snakemake" snakemake -n -c"$jobs"
time_noop "waybill run (re-run, same job)" "$work" "${waybill[@]}" --jobs "$jobs"
time_noop "snakemake (real no-op)" "$work/snakemake" snakemake -c"$jobs"

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
ratio() { awk -v a="${mean[$1]}" -v b="${mean[$2]}" -v text="$3" 'BEGIN { printf "%s: %.2fx (%.3f s vs %.3f s)\n", text, a / b, a, b }'; }
ratio "waybill run --dry-run" "snakemake -n" "waybill --dry-run / snakemake -n"
ratio "waybill run (re-run, same job)" "snakemake (real no-op)" "waybill re-run / snakemake no-op"
