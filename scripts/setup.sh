#!/usr/bin/env bash
# Installs what Waybill and its tests need on a fresh Debian machine that has the .NET SDK, then builds.
# Idempotent: packages already present are not installed again; a second run takes seconds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# jq: the job-folder checks in the README and tests; time: exact peak RSS of command stages;
# ffmpeg, sox, espeak-ng, pocketsphinx: the subtitle pipeline and its generated sample; npm: fetches the VAD model and Ajv;
# chromium: the headless browser test of the 'waybill lineage --format html' page; clang, zlib1g-dev: the native
# (ahead-of-time compiled) build of the CLI that ./waybill runs; python3 with venv, pip, setuptools and wheel: the Python
# stage client's tests, its sample pipeline, and the offline 'pip install clients/python' test; tmux: a real terminal for the
# tests of the log viewer and the live progress display; postgresql: the catalog tests start a private server of their
# own (initdb under .build/), stopped and removed after them.
packages=(jq time ffmpeg sox espeak-ng pocketsphinx pocketsphinx-en-us chromium clang zlib1g-dev
  python3 python3-venv python3-pip python3-setuptools python3-wheel tmux postgresql)
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

# Ajv (pinned), for the test that checks every schema in strict mode and job files against them
# (scripts/check-schemas.cjs); installed into the ignored .build/node/, only when missing or at another version.
ajv_version=8.17.1
ajv_formats_version=3.0.1
node_dir="$root/.build/node"
installed() { node -p "require('$node_dir/node_modules/$1/package.json').version" 2>/dev/null; }
if [ "$(installed ajv)" != "$ajv_version" ] || [ "$(installed ajv-formats)" != "$ajv_formats_version" ]; then
  echo "setup: installing ajv $ajv_version and ajv-formats $ajv_formats_version into .build/node"
  npm install --no-save --no-audit --no-fund --silent --prefix "$node_dir" "ajv@$ajv_version" "ajv-formats@$ajv_formats_version"
fi

echo "setup: building"
dotnet build "$root/Waybill.sln" -c Release --nologo -v quiet -clp:NoSummary
# The CLI as ./waybill runs it (native when the toolchain is there); rebuilt only when the sources changed.
"$root/waybill" --version >/dev/null
echo "setup: done"
