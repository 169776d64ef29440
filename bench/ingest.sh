#!/usr/bin/env bash
# Benchmark: tr-ingest maps N Suricata EVE alert lines and N CEF lines (default 1,000,000 each)
# to alert records; in the same run jq does the equivalent EVE mapping (bench/ingest_eve.jq,
# 15 flat fields) on the first JQ_N lines (default 100,000; jq needs ~40 s for a million).
# Rounds alternate tool and peer (ROUNDS, default 3); the ratio printed is the median of the
# per-round throughput ratios (performance.md: the machines drift, compare in the same run).
# Prints lines/s and MB/s per CPU-second, peak memory and the ratio. Data is generated under /tmp.
#   bench/ingest.sh [N]     (TR_BIN: folder of the built tools, default build/bin)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${TR_BIN:-$root/build/bin}
n=${1:-${BENCH_N:-1000000}}
jq_n=${JQ_N:-100000}
((jq_n > n)) && jq_n=$n
rounds=${ROUNDS:-3}
dir=$(mktemp -d /tmp/tr-bench-ingest.XXXXXX)
trap 'rm -rf "$dir"' EXIT
echo "generating $n EVE and $n CEF lines in $dir ..."
python3 "$root/bench/ingest_gen.py" "$dir" "$n"
head -n "$jq_n" "$dir/eve.json" > "$dir/eve-jq.json"
export HOME=$dir XDG_DATA_HOME=$dir/data XDG_CONFIG_HOME=$dir/config TR_NOW=2026-12-03T12:00:00Z

# run CMD...: CPU seconds (user + system) and peak RSS (MB) of CMD, stdout to /dev/null, on
# one core. CPU time, not wall time: these machines are shared, and a busy neighbour stretches
# wall time for the tool and the peer alike but not the work each one does (the wall time is
# printed too, on stderr).
run() {
  python3 - "$@" <<'PY'
import os, resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True,
               preexec_fn=lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}))
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{ru.ru_utime + ru.ru_stime:.3f} {ru.ru_maxrss / 1024:.1f}")
print(f"  {os.path.basename(sys.argv[1])}: wall {wall:.3f}s", file=sys.stderr)
PY
}
median() { python3 -c "import statistics,sys; print(statistics.median(map(float, sys.argv[1:])))" "$@"; }
calc() { python3 -c "print(f'{$1:,.1f}')"; }

eve_bytes=$(stat -c %s "$dir/eve.json")
cef_bytes=$(stat -c %s "$dir/cef.log")
jq_bytes=$(stat -c %s "$dir/eve-jq.json")
tr_eve=() tr_cef=() jq_eve=() ratios=() mem_eve=() mem_cef=() mem_jq=()
for r in $(seq "$rounds"); do
  read -r s m < <(run "$bin/tr-ingest" --format auto "$dir/eve.json"); tr_eve+=("$s"); mem_eve+=("$m")
  read -r js jm < <(run jq -c -f "$root/bench/ingest_eve.jq" "$dir/eve-jq.json"); jq_eve+=("$js"); mem_jq+=("$jm")
  read -r c cm < <(run "$bin/tr-ingest" "$dir/cef.log"); tr_cef+=("$c"); mem_cef+=("$cm")
  ratios+=("$(python3 -c "print(($n/$s)/($jq_n/$js))")")
  echo "round $r (CPU seconds): tr-ingest eve ${s}s, jq eve ($jq_n lines) ${js}s, tr-ingest cef ${c}s"
done
s=$(median "${tr_eve[@]}"); js=$(median "${jq_eve[@]}"); c=$(median "${tr_cef[@]}")
printf '%-28s %12s %10s %10s\n' "" "lines/s" "MB/s" "peak MB"
printf '%-28s %12s %10s %10s\n' "tr-ingest EVE ($n)" "$(calc "$n/$s")" "$(calc "$eve_bytes/$s/1e6")" "$(median "${mem_eve[@]}")"
printf '%-28s %12s %10s %10s\n' "jq EVE ($jq_n)" "$(calc "$jq_n/$js")" "$(calc "$jq_bytes/$js/1e6")" "$(median "${mem_jq[@]}")"
printf '%-28s %12s %10s %10s\n' "tr-ingest CEF ($n)" "$(calc "$n/$c")" "$(calc "$cef_bytes/$c/1e6")" "$(median "${mem_cef[@]}")"
echo "EVE ratio tr-ingest/jq, lines per CPU-second (median of per-round ratios): $(calc "$(median "${ratios[@]}")")x  (target >= 12x, stretch 20x)"
echo "CEF throughput: $(calc "$cef_bytes/$c/1e6") MB/s  (target >= 150 MB/s)"
