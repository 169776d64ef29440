#!/usr/bin/env bash
# tr-ioc-check benchmark: load N indicators (mixed types: IPs, networks, domains, URLs, md5,
# sha1, sha256, file names) and check M artifact records against them; run grep -F -f over
# the same values and the same records in the same run, for comparison.
#
#   bench/ioc_check.sh [N] [M]        (default 1000000 1000000; build first: make)
#   TR_BIN=build/bin  BENCH_DIR=/tmp/tr-bench-ioc  GREP_TIMEOUT=300
#
# Prints the load time, artifacts/s, peak memory (largest process, via getrusage) and the
# ratio to grep -F. grep -F matches substrings of whole lines, so it also reports false
# positives (a domain inside a longer one, a hash inside a path); tr-ioc-check does typed
# matching. GREP_TIMEOUT bounds the peer's run (it needs minutes and gigabytes at 1M).
set -euo pipefail
n=${1:-1000000}
m=${2:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${TR_BIN:-$root/build/bin}
dir=${BENCH_DIR:-/tmp/tr-bench-ioc}
mkdir -p "$dir"
export HOME="$dir/home" XDG_DATA_HOME="$dir/data" LC_ALL=C
mkdir -p "$HOME"

measure() {  # measure NAME CMD... (stdout to /dev/null): NAME_secs (wall) NAME_cpu NAME_kb NAME_rc
  local name=$1; shift
  local out
  out=$(python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
dt = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{dt:.3f} {ru.ru_utime + ru.ru_stime:.3f} {ru.ru_maxrss} {rc}")
PY
)
  read -r secs cpu kb rc <<<"$out"
  printf -v "${name}_secs" '%s' "$secs"
  printf -v "${name}_cpu" '%s' "$cpu"
  printf -v "${name}_kb" '%s' "$kb"
  printf -v "${name}_rc" '%s' "$rc"
}
calc() { python3 -c "print($1)"; }

if [[ ! -s $dir/iocs.txt || $(wc -l <"$dir/iocs.txt") != "$n" || \
      $(wc -l <"$dir/artifacts.jsonl") != "$m" ]]; then
  echo "generating $n indicators and $m artifacts in $dir ..."
  python3 "$root/bench/ioc_gen.py" "$dir" "$n" "$m"
fi
mb=$(calc "round($(stat -c %s "$dir/artifacts.jsonl") / 1e6, 1)")

measure load "$bin/tr-ioc-check" --no-history --no-keep --iocs "$dir/iocs.txt" /dev/null
measure check "$bin/tr-ioc-check" --no-history --no-keep --iocs "$dir/iocs.txt" "$dir/artifacts.jsonl"
[[ $check_rc == 1 ]] || echo "note: tr-ioc-check exit status $check_rc (1 expected: hosts infected)"
"$bin/tr-ioc-check" --no-history --no-keep --iocs "$dir/iocs.txt" "$dir/artifacts.jsonl" \
  | python3 -c '
import json, sys
m = o = 0
for l in sys.stdin:
    v = json.loads(l); m += len(v["matches"]); o += v.get("matches_omitted", 0)
print(m + o)' >"$dir/tr.matches" || true
scan=$(calc "round(max($check_secs - $load_secs, 0.001), 3)")
scan_cpu=$(calc "round(max($check_cpu - $load_cpu, 0.001), 3)")

# Wall time depends on what else the machine runs; CPU time (user + system) is shown too.
echo "load avg: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "tr-ioc-check: $n indicators loaded in ${load_secs}s (cpu ${load_cpu}s), peak $((load_kb / 1024)) MB"
echo "tr-ioc-check: $m artifacts ($mb MB) checked in ${scan}s (cpu ${scan_cpu}s) after loading:" \
     "$(calc "f'{$m / $scan:,.0f}'") artifacts/s ($(calc "f'{$m / $scan_cpu:,.0f}'")/s of cpu);" \
     "total ${check_secs}s, peak $((check_kb / 1024)) MB, $(cat "$dir/tr.matches") typed matches"

gt=${GREP_TIMEOUT:-300}
measure grep timeout "$gt" grep -F -c -f "$dir/iocs.txt" "$dir/artifacts.jsonl"
if [[ $grep_rc == 124 ]]; then
  echo "grep -F -f: stopped after ${gt}s (GREP_TIMEOUT), peak $((grep_kb / 1024)) MB"
  echo "ratio: more than $(calc "round($gt / $check_secs, 1)")x faster than grep -F"
else
  lines=$(grep -F -c -f "$dir/iocs.txt" "$dir/artifacts.jsonl" || true)
  echo "grep -F -f: ${grep_secs}s (cpu ${grep_cpu}s), peak $((grep_kb / 1024)) MB, $lines matching lines (substring matches)"
  echo "ratio: tr-ioc-check is $(calc "round($grep_secs / $check_secs, 1)")x faster than grep -F" \
       "in wall time, $(calc "round($grep_cpu / max($check_cpu, 0.001), 1)")x in cpu time," \
       "memory $(calc "round($grep_kb / max($check_kb, 1), 1)")x less"
fi
