#!/usr/bin/env bash
# Benchmark: tr-correlate over N alerts (default 1,000,000) of one day, a realistic mix
# (bench/correlate_gen.py: singletons, EDR alerts by host, phishing waves, infections, botnets
# and a hub domain on a quarter of the alerts), with a 1h window (memory bounded by the
# window) and a 24h window (the whole day is one window). Peer in the same run: jq extracting
# each alert's id and observable values (the least a jq-based correlator must do), on the
# first 100,000 alerts. Prints alerts/s, peak memory and the ratio. Rates are per CPU second
# (user+sys, one core): on a shared machine wall time measures the load, not the tool; wall
# times are shown beside them. Data goes under /tmp.
#   bench/correlate.sh [N]      (TR_BIN: folder of the built tools, default build/bin)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${TR_BIN:-$root/build/bin}
n=${1:-1000000}
dir=$(mktemp -d /tmp/tr-bench-correlate.XXXXXX)
trap 'rm -rf "$dir"' EXIT
echo "generating $n alerts in $dir ..."
python3 "$root/bench/correlate_gen.py" "$dir/alerts.jsonl" "$n"
head -n 100000 "$dir/alerts.jsonl" > "$dir/alerts-100k.jsonl"
export HOME=$dir XDG_DATA_HOME=$dir/data XDG_CONFIG_HOME=$dir/config TR_NOW=2026-12-03T12:00:00Z

# run CMD...: CPU seconds (user+sys), wall seconds and peak RSS (MB) of CMD (stdout to
# /dev/null).
run() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{ru.ru_utime + ru.ru_stime:.3f} {wall:.3f} {ru.ru_maxrss / 1024:.0f}")
PY
}

read -r h1_s h1_w h1_mb < <(run "$bin/tr-correlate" --window 1h "$dir/alerts.jsonl")
read -r d1_s d1_w d1_mb < <(run "$bin/tr-correlate" --window 24h "$dir/alerts.jsonl")
read -r jq_s jq_w jq_mb < <(run jq -c '{id, v: [.tr.observables[].value]}' "$dir/alerts-100k.jsonl")
incidents=$("$bin/tr-correlate" --incidents-only --window 1h "$dir/alerts.jsonl" | wc -l)
python3 - "$n" "$h1_s" "$h1_mb" "$d1_s" "$d1_mb" "$jq_s" "$jq_mb" "$incidents" "$h1_w" "$d1_w" "$jq_w" <<'PY'
import sys
n = int(sys.argv[1])
h1_s, h1_mb, d1_s, d1_mb, jq_s, jq_mb = map(float, sys.argv[2:8])
inc = int(sys.argv[8])
h1_w, d1_w, jq_w = map(float, sys.argv[9:12])
print(f"tr-correlate --window 1h:  {n} alerts -> {inc} incidents in {h1_s:.2f} CPU s "
      f"({h1_w:.2f} s wall): {n/h1_s:,.0f} alerts/s, peak {h1_mb:.0f} MB")
print(f"tr-correlate --window 24h: {n} alerts in {d1_s:.2f} CPU s ({d1_w:.2f} s wall): "
      f"{n/d1_s:,.0f} alerts/s, peak {d1_mb:.0f} MB (the whole day is one window)")
jq_rate = 100000 / jq_s
print(f"jq (id + observable values, 100k alerts): {jq_rate:,.0f} alerts/s ({jq_w:.2f} s wall), "
      f"peak {jq_mb:.0f} MB")
print(f"ratio tr-correlate (1h)/jq: {n/h1_s/jq_rate:.1f}x "
      f"(target: >= 350,000 alerts/s, stretch 500,000)")
PY
