#!/usr/bin/env bash
# Times rebuilds of src/GpuCloud.Generated and counts NSwag runs in each:
#   1. a no-change rebuild (expect 0 NSwag runs),
#   2. a rebuild after one spec's timestamp changes (expect 1 run, that spec's client only).
# Usage: build/measure-build.sh [runs]   (default 3 of each; prints one line per build and a summary)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
project=src/GpuCloud.Generated/GpuCloud.Generated.csproj
spec=specs/fluidstack-management.openapi.yaml

dotnet build "$project" -nologo -v q > /dev/null   # warm: toolchain restored, clients generated

measure() { # label, then the command to run before building
  local label=$1; shift
  for i in $(seq "$runs"); do
    "$@"
    local start end out
    start=$(date +%s.%N)
    out=$(dotnet build "$project" -nologo -v n 2>&1)
    end=$(date +%s.%N)
    printf '%-22s run %d: %6.2f s, NSwag runs: %d %s\n' "$label" "$i" "$(awk "BEGIN { print $end - $start }")" \
      "$(grep -c 'NSwag: generated' <<< "$out" || true)" "$(grep -o 'NSwag: generated [A-Za-z]*' <<< "$out" | sed 's/NSwag: generated //' | tr '\n' ' ')"
  done
}

measure "no change" true
measure "one spec touched" touch "$spec"
