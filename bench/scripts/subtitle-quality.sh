#!/usr/bin/env bash
# What a viewer notices about the subtitles of one video, for any speech recogniser: runs `waybill subtitle` on the
# video and compares its subtitles.srt with the truth. Prints, one "name: value" a line: the backend, the word error rate
# (lower-cased, punctuation and ♪ marks left out; word-level edit distance over the truth's words, with substitutions,
# deletions and insertions), the first cue's start and the last cue's end against the truth's (when the truth has
# times), characters per second (max and mean) and the cues that break the line rules (line length, lines per cue,
# duration, reading speed, overlap).
#
# Usage: bench/scripts/subtitle-quality.sh [VIDEO TRUTH.srt|TRUTH.txt|truth.json] [waybill subtitle args...]
#   Without VIDEO, `waybill sample` generates the reference sample and its truth.json first.
#   bench/scripts/subtitle-quality.sh movie.mp4 movie.en.srt --set asr.backend=whisper --set asr.model=base.en
# Environment: WAYBILL (the CLI; default ./waybill of this checkout), WORK (a folder for the job; default a new one,
# deleted at the end), MAX_LINE_CHARS (42), MAX_LINES (2), MIN_CUE_SECONDS (0.8), MAX_CUE_SECONDS (7),
# MAX_CHARS_PER_SECOND (20): the limits the cues are checked against.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
waybill="${WAYBILL:-$root/waybill}"

video=""
if [ $# -ge 1 ] && [ "${1#-}" = "$1" ]; then
  [ $# -ge 2 ] || { echo "usage: $0 [VIDEO TRUTH.srt|TRUTH.txt|truth.json] [waybill subtitle args...]" >&2; exit 2; }
  video="$1"; truth="$2"; shift 2
  for file in "$video" "$truth"; do [ -f "$file" ] || { echo "$0: no such file: $file" >&2; exit 2; }; done
fi

if [ -n "${WORK:-}" ]; then
  work="$WORK"
  mkdir -p "$work"
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/subtitle-quality.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
fi

if [ -z "$video" ]; then
  "$waybill" sample --out "$work/sample" >/dev/null
  video="$work/sample/sample.mp4"; truth="$work/sample/truth.json"
fi

rm -rf "$work/out"
if ! "$waybill" subtitle "$video" --out "$work/out" --job-id quality "$@" >"$work/subtitle.log" 2>&1; then
  echo "$0: waybill subtitle failed; its last lines:" >&2
  tail -n 20 "$work/subtitle.log" >&2
  exit 1
fi
job="$work/out/quality"
srt="$job/11_subtitle_generation/subtitles.srt"
[ -f "$srt" ] || { echo "$0: the job wrote no $srt" >&2; exit 1; }

python3 - "$job/06_asr/manifest.json" "$job/06_asr/transcript.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1], encoding="utf-8")).get("config") or {}
print(f"backend: {config.get('backend', 'unknown')}")
print(f"model: {json.load(open(sys.argv[2], encoding='utf-8')).get('model') or 'unknown'}")
PY
python3 "$here/subtitle_quality.py" report "$truth" "$srt"
