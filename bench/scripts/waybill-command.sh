# Sourced by the benchmark scripts: sets WAYBILL, the waybill command to time, unless the caller set it. That is the
# build ./waybill runs (built first when the sources changed): native when a C toolchain is installed, else the .NET one.
# Needs $root, the repository's root.
if [ -z "${WAYBILL:-}" ]; then
  "$root/waybill" --version >/dev/null
  if [ -f "$root/.build/cli/waybill.dll" ]; then WAYBILL="dotnet $root/.build/cli/waybill.dll"; else WAYBILL="$root/.build/cli/waybill"; fi
fi
