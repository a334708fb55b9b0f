#!/usr/bin/env bash
# Installs what Waybill and its tests need on a fresh Debian machine that has the .NET SDK, then builds.
# Idempotent: packages already present are not installed again; a second run takes seconds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# jq: the job-folder checks in the README and tests; time: exact peak RSS of command stages;
# ffmpeg, sox, espeak-ng, pocketsphinx: the subtitle pipeline and its generated sample; npm: fetches the VAD model;
# chromium: the headless browser test of the 'waybill lineage --format html' page; clang, zlib1g-dev: the native
# (ahead-of-time compiled) build of the CLI that ./waybill runs.
packages=(jq time ffmpeg sox espeak-ng pocketsphinx pocketsphinx-en-us chromium clang zlib1g-dev)
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

"$root/scripts/fetch-models.sh"

echo "setup: building"
dotnet build "$root/Waybill.sln" -c Release --nologo -v quiet -clp:NoSummary
# The CLI as ./waybill runs it (native when the toolchain is there); rebuilt only when the sources changed.
"$root/waybill" --version >/dev/null
echo "setup: done"
