#!/usr/bin/env bash
# `make bench`: runs every benchmark in bench/ (each compares a tool against the program a user
# would otherwise use, in the same run, and prints throughput, peak memory and the ratio).
# Pass names to run some: bench/run.sh ingest correlate. Data is generated under /tmp.
# BENCH_N scales the input size (default: each script's own, about a million records).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
names=("$@")
if ((${#names[@]} == 0)); then
  for f in "$here"/*.sh; do
    n=$(basename "$f" .sh)
    [[ $n == run || $n == lib ]] && continue
    names+=("$n")
  done
fi
status=0
for n in "${names[@]}"; do
  echo "== bench/$n.sh"
  bash "$here/$n.sh" || { echo "bench/$n.sh failed" >&2; status=1; }
done
exit $status
