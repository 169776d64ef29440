#!/usr/bin/env bash
# Benchmark: tr-block sync reading a large CLI device listing (an ASA object-group of N
# members saved to a file, as for `sync --from-file`). tr-block parses it with RE2 line by
# line, validates every value and compares it with the store (empty here, so every member is
# planned for removal and written as an action record: the worst case). The peer, in the same
# run, is what an operator would script: awk pulling the group's members out of the listing.
#   bench/block_sync.sh [N]   (TR_BIN: built tools, default build/bin)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
bin=${TR_BIN:-$root/build/bin}
n=${1:-${BENCH_N:-100000}}
dir=$(mktemp -d /tmp/tr-bench-block-sync.XXXXXX)
trap 'rm -rf "$dir"' EXIT
export HOME=$dir XDG_DATA_HOME=$dir/data XDG_CONFIG_HOME=$dir/config TR_ACTOR=bench
export TR_STORE=$dir/cases.db TR_CONFIG=$dir/config.yaml TR_NOW=2026-12-03T12:00:00Z
printf 'devices:\n  asa: {type: asa}\n' >"$TR_CONFIG"
python3 - "$dir/listing.txt" "$n" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("object-group network OTHER\n network-object host 192.0.2.1\n")
    f.write("object-group network TR-BLOCK\n description tr-block\n")
    for i in range(n):
        a, b, c = (i >> 16) & 255, (i >> 8) & 255, i & 255
        if i % 10 == 9:
            f.write(f" network-object 45.{a}.{b}.0 255.255.255.0\n")
        else:
            f.write(f" network-object host 45.{a}.{b}.{c}\n")
    f.write("access-list outside_access_in extended deny ip object-group TR-BLOCK any\n")
PY
bytes=$(wc -c <"$dir/listing.txt")
measure tr sh -c 'exec "$0" sync --dry-run --device asa --from-file "$1" >"$2"' \
  "$bin/tr-block" "$dir/listing.txt" "$dir/tr.out"
measure awk sh -c 'exec awk '"'"'/^object-group network TR-BLOCK$/{f=1;next} /^[^ ]/{f=0} f && $1=="network-object"{print}'"'"' "$0" >"$1"' \
  "$dir/listing.txt" "$dir/awk.out"
printf 'listing: %d members, %.1f MB\n' "$n" "$(python3 -c "print($bytes/1e6)")"
printf 'tr-block sync --from-file: %6.2f s  %s members/s  peak %d MB  (%d actions)\n' "$tr_secs" "$(per_sec "$n" "$tr_secs")" $((tr_kb / 1024)) "$(wc -l <"$dir/tr.out")"
printf 'awk (extract members):     %6.2f s  %s members/s  peak %d MB  (%d lines)\n' "$awk_secs" "$(per_sec "$n" "$awk_secs")" $((awk_kb / 1024)) "$(wc -l <"$dir/awk.out")"
printf 'ratio tr-block/awk time: %s\n' "$(ratio "$tr_secs" "$awk_secs")"
