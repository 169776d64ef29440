#!/usr/bin/env bash
# Runs every libFuzzer target in DIR for SECONDS each, starting from its seed corpus.
# A crash or a failed property is saved into fuzz/regressions/<target>/ (so the replay test
# keeps it forever) and makes this script fail.
#   fuzz/run.sh build-fuzz/fuzz 60
set -uo pipefail
dir=${1:?usage: fuzz/run.sh DIR SECONDS}
secs=${2:-60}
root=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for bin in "$dir"/fuzz_*; do
  [[ -x $bin ]] || continue
  name=$(basename "$bin")
  mkdir -p "$work/$name/corpus" "$work/$name/crash"
  # libFuzzer exits when a corpus folder is missing, so pass only the ones that exist
  # (git does not keep empty folders).
  seeds=()
  [[ -d $root/corpus/$name ]] && seeds+=("$root/corpus/$name")
  [[ -d $root/regressions/$name ]] && seeds+=("$root/regressions/$name")
  # Extra seed folders named on the target's second line: "// seeds: tests/fixtures/ingest".
  for s in $(sed -n '2s#^// seeds: ##p' "$root/$name.cpp"); do
    [[ -d $root/../$s ]] && seeds+=("$root/../$s")
  done
  "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -artifact_prefix="$work/$name/crash/" "$work/$name/corpus" "${seeds[@]}" \
    >"$work/$name.log" 2>&1
  rc=$?
  runs=$(grep -oE 'Done [0-9]+ runs' "$work/$name.log" | tail -1)
  if ((rc != 0)) || compgen -G "$work/$name/crash/*" >/dev/null; then
    status=1
    mkdir -p "$root/regressions/$name"
    cp "$work/$name/crash/"* "$root/regressions/$name/" 2>/dev/null
    echo "fuzz: $name FAILED (status $rc); input saved under fuzz/regressions/$name/"
    grep -E 'runtime error|property failed|ERROR: AddressSanitizer|SUMMARY' "$work/$name.log" | head -5
  else
    echo "fuzz: $name ok (${runs:-no runs} in ${secs}s)"
  fi
done
exit $status
