#!/usr/bin/env bash
# Benchmark: tr-enrich offline over N alerts (default 1,000,000) with users, assets, the
# MaxMind test databases (when ../shared/samples is present) and a blocklist of M entries
# (default 1,000,000). Peer in the same run: jq adding three fields to each alert (the least a
# jq-based enricher would do), on the first 100,000 alerts. Prints throughput, peak memory,
# the blocklist load time and the ratio. Data is generated under /tmp.
#   bench/enrich.sh [N] [M]     (TR_BIN: folder of the built tools, default build/bin)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${TR_BIN:-$root/build/bin}
n=${1:-1000000}
m=${2:-1000000}
dir=$(mktemp -d /tmp/tr-bench-enrich.XXXXXX)
trap 'rm -rf "$dir"' EXIT
echo "generating $n alerts and $m blocklist entries in $dir ..."
python3 "$root/bench/enrich_gen.py" "$dir" "$n" "$m"
samples=${TR_SAMPLES:-$root/../shared/samples}
geo=()
if [[ -f $samples/mmdb/GeoIP2-City-Test.mmdb ]]; then
  geo=(--geoip "$samples/mmdb/GeoIP2-City-Test.mmdb" --asn "$samples/mmdb/GeoLite2-ASN-Test.mmdb")
fi
export HOME=$dir XDG_DATA_HOME=$dir/data XDG_CONFIG_HOME=$dir/config TR_NOW=2026-12-03T12:00:00Z
head -n 100000 "$dir/alerts.jsonl" > "$dir/alerts-100k.jsonl"
bytes=$(stat -c %s "$dir/alerts.jsonl")

# run LABEL CMD...: CPU seconds (user+sys: the shared machine's load stretches wall time, not
# CPU time) and peak RSS (MB) of CMD (stdout to /dev/null); wall time goes to stderr.
run() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, check=True)
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{sys.argv[1]}: wall {wall:.2f} s", file=sys.stderr)
print(f"{ru.ru_utime + ru.ru_stime:.3f} {ru.ru_maxrss / 1024:.0f}")
PY
}

ctx=(--users "$dir/users.csv" --assets "$dir/assets.csv" "${geo[@]}" --offline)
read -r load_s load_mb < <(run load "$bin/tr-enrich" "${ctx[@]}" --blocklist "$dir/blocklist.txt" /dev/null)
read -r tr_s tr_mb < <(run tr "$bin/tr-enrich" "${ctx[@]}" --blocklist "$dir/blocklist.txt" "$dir/alerts.jsonl")
read -r jq_s jq_mb < <(run jq jq -c '.tr.score = 50 | .tr.priority = "P3" | .tr.enrichment = {users: [], assets: [], reasons: []}' "$dir/alerts-100k.jsonl")
python3 - "$n" "$bytes" "$load_s" "$load_mb" "$tr_s" "$tr_mb" "$jq_s" "$jq_mb" "$m" <<'PY'
import sys
n, size = int(sys.argv[1]), int(sys.argv[2])
load_s, load_mb, tr_s, tr_mb, jq_s, jq_mb = map(float, sys.argv[3:9])
m = int(sys.argv[9])
stream = max(tr_s - load_s, 1e-6)
print("(CPU seconds, user+sys, one core)")
print(f"blocklist of {m} entries + context loaded in {load_s:.2f} s CPU ({load_mb:.0f} MB)")
print(f"tr-enrich: {n} alerts in {tr_s:.2f} s CPU: {n/tr_s:,.0f} alerts/s overall, "
      f"{n/stream:,.0f} alerts/s once loaded, {size/1e6/tr_s:.0f} MB/s, peak {tr_mb:.0f} MB")
jq_rate = 100000 / jq_s
print(f"jq (3 fields, 100k alerts): {jq_rate:,.0f} alerts/s CPU, peak {jq_mb:.0f} MB")
print(f"ratio tr-enrich/jq: {n/tr_s/jq_rate:.1f}x overall, {n/stream/jq_rate:.1f}x once loaded "
      f"(target: >= 200,000 alerts/s once loaded)")
PY
