#!/usr/bin/env bash
# The subtitle job on a long generated input (default 10 minutes): `waybill subtitle` against the same work run bare
# (Waybill.Benchmarks `subtitles-bare`: the same ffmpeg commands, Silero model, PocketSphinx decoders and algorithms,
# with no job folder, logs, manifests or checksums), alternating, RUNS times each. Prints wall time, real-time factor
# (wall / media length), peak RSS (GNU time: the largest of the process and the children it waited for) and
# Waybill's overhead over bare. HOUR=1 adds one `waybill subtitle` run on a 1-hour input for peak memory.
#
# Usage: bench/scripts/subtitles-vs-bare.sh        Environment: MEDIA_SECONDS (600), RUNS (2), HOUR, ARTIFACTS, WORK
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
artifacts="${ARTIFACTS:-/tmp/benchart}"
work="${WORK:-/var/tmp/waybill-bench/subtitles}"
media_seconds="${MEDIA_SECONDS:-600}"
runs="${RUNS:-2}"
mkdir -p "$work"
cd "$root"
echo "building (Release, artifacts in $artifacts) ..."
dotnet build bench/Waybill.Benchmarks -c Release --artifacts-path "$artifacts" --nologo -v quiet -tl:off >/dev/null
dotnet build src/Waybill.Cli -c Release --artifacts-path "$artifacts" --nologo -v quiet -tl:off >/dev/null
cli="$artifacts/bin/Waybill.Cli/release/waybill.dll"
bench="$artifacts/bin/Waybill.Benchmarks/release/Waybill.Benchmarks.dll"

sample() { # seconds -> video path; generated once
  local dir="$work/sample-$1"
  [ -f "$dir/sample.mp4" ] || dotnet "$cli" sample -o "$dir" --seconds "$1" --size 160x120 --fps 5 >/dev/null
  echo "$dir/sample.mp4"
}
timed() { # label, command... -> "label wall_s peak_kb user_s sys_s"
  local label="$1"; shift
  /usr/bin/time -f '%e %M %U %S' -o "$work/time.txt" "$@" >"$work/$label.log" 2>&1 || { echo "$label failed:"; tail -20 "$work/$label.log"; exit 1; }
  echo "$label $(cat "$work/time.txt")"
}

video="$(sample "$media_seconds")"
length=$(jq '.duration' "$(dirname "$video")/truth.json")
echo "input: $video ($length s)"
results="$work/results.txt"
: >"$results"
for i in $(seq 1 "$runs"); do
  rm -rf "$work/bare" "$work/out"
  timed bare dotnet "$bench" subtitles-bare "$video" "$work/bare" | tee -a "$results"
  timed waybill dotnet "$cli" subtitle "$video" --out "$work/out" --job-id "run$i" -j 2 --asr pocketsphinx | tee -a "$results"
done
awk -v len="$length" '
  { wall[$1] += $2; cpu[$1] += $4 + $5; n[$1]++; if ($3 > peak[$1]) peak[$1] = $3 }
  END {
    for (k in wall) printf "%-8s mean wall %7.2f s  real-time factor %.3f  CPU %7.2f s  peak RSS %6.1f MB\n", k, wall[k]/n[k], wall[k]/n[k]/len, cpu[k]/n[k], peak[k]/1024
    printf "Waybill overhead over bare: %+.1f%% of the wall time, %+.1f%% of the CPU time\n", 100 * (wall["waybill"]/n["waybill"] - wall["bare"]/n["bare"]) / (wall["waybill"]/n["waybill"]), 100 * (cpu["waybill"]/n["waybill"] - cpu["bare"]/n["bare"]) / (cpu["waybill"]/n["waybill"])
  }' "$results"
grep -h 'real_time_factor\|decode_seconds' "$work/out/run$runs/06_asr/manifest.json" | tr -s ' ' || true

if [ "${HOUR:-0}" = 1 ]; then
  long="$(sample 3600)"
  rm -rf "$work/out-hour"
  timed hour dotnet "$cli" subtitle "$long" --out "$work/out-hour" --job-id hour -j 2 | awk '{ printf "1-hour input: wall %.1f s (real-time factor %.3f), peak RSS %.1f MB\n", $2, $2/3600, $3/1024 }'
fi
