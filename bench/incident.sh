#!/usr/bin/env bash
# Benchmark: tr-incident on a large case store (issue 8: 1,000,000 alerts in 100,000
# incidents; `list` with a filter and `show` under 100 ms, `kpi` over 30 days under 1 s).
# Builds the store with `tr-incident import` (10 chunks, the clock moved 6 days between them
# so incidents spread over two months), prints import throughput and peak memory, then times
# each query ROUNDS times (median, whole process: start-up, store open, output) next to the
# sqlite3 shell running the equivalent SQL on the same file, and the ratio.
#   bench/incident.sh [INCIDENTS] [ALERTS_PER_INCIDENT]   (TR_BIN: built tools, default build/bin)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${TR_BIN:-$root/build/bin}
n=${1:-${BENCH_N:-100000}}
per=${2:-10}
rounds=${ROUNDS:-5}
dir=$(mktemp -d /tmp/tr-bench-incident.XXXXXX)
trap 'rm -rf "$dir"' EXIT
export HOME=$dir XDG_DATA_HOME=$dir/data XDG_CONFIG_HOME=$dir/config TR_ACTOR=bench
store=$dir/cases.db
echo "generating $n incidents with $per alerts each in $dir ..."
python3 "$root/bench/incident_gen.py" "$dir" "$n" "$per" 10

# run CMD...: wall seconds and peak RSS (MB) of CMD, stdout to /dev/null.
run() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
wall = time.monotonic() - t
print(f"{wall:.4f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.1f}")
PY
}
median() { python3 -c "import statistics,sys; print(statistics.median(map(float, sys.argv[1:])))" "$@"; }
calc() { python3 -c "print(f'{$1:,.1f}')"; }

records=$(cat "$dir"/chunk*.jsonl | wc -l)
import_secs=0 import_mb=0
for c in $(seq 0 9); do
  now=$(printf '2026-10-%02dT23:00:00Z' $((1 + c * 3)))
  read -r s m < <(TR_NOW=$now run "$bin/tr-incident" --store "$store" import "$dir/chunk$c.jsonl")
  import_secs=$(python3 -c "print($import_secs + $s)")
  import_mb=$(python3 -c "print(max($import_mb, $m))")
done
echo "import: $records records in $(calc "$import_secs") s = $(calc "$records/$import_secs") records/s, peak $import_mb MB, store $(du -m "$store" | cut -f1) MB"
export TR_NOW=2026-11-01T00:00:00Z
now_ms=$(python3 -c "import datetime; print(int(datetime.datetime(2026,11,1,tzinfo=datetime.timezone.utc).timestamp()*1000))")
since_ms=$((now_ms - 30 * 86400000))
show_id=$(printf 'i-%016x' $((n / 2)))

# name | tr-incident args | equivalent SQL | target ms
queries=(
  "list --user|list --user user0042 --format json|SELECT i.* FROM incidents i WHERE id IN (SELECT incident_id FROM incident_facets WHERE facet = 'user' AND value = 'user0042') ORDER BY priority, severity DESC, id|100"
  "list --status --priority|list --status new --priority P1 --limit 100|SELECT id, priority, status, severity, alert_count, assignee, created, title FROM incidents WHERE status = 'new' AND priority = 'P1' ORDER BY severity DESC, id LIMIT 100|100"
  "show|show $show_id --format json|SELECT record FROM incidents WHERE id = '$show_id'; SELECT a.record FROM incident_alerts ia JOIN alerts a ON a.id = ia.alert_id WHERE ia.incident_id = '$show_id' ORDER BY a.ts; SELECT * FROM timeline WHERE incident_id = '$show_id'|100"
  "kpi --since 30d|kpi --since 30d --format json|SELECT count(*), avg(created - first_seen), avg(triaged - created), avg(contained - created), avg(resolved - created) FROM incidents WHERE created >= $since_ms; SELECT status, priority, count(*) FROM incidents WHERE status NOT IN ('resolved', 'closed', 'false_positive') GROUP BY status, priority|1000"
)
printf '%-26s %14s %12s %8s %9s %8s\n' "query" "tr-incident ms" "sqlite3 ms" "ratio" "target ms" "peak MB"
for q in "${queries[@]}"; do
  IFS='|' read -r name args sql target <<<"$q"
  t=() p=() m=()
  for r in $(seq "$rounds"); do
    # shellcheck disable=SC2086
    read -r s mb < <(run "$bin/tr-incident" --store "$store" $args); t+=("$s"); m+=("$mb")
    read -r s _ < <(run sqlite3 "$store" "$sql"); p+=("$s")
  done
  ts=$(median "${t[@]}"); ps=$(median "${p[@]}")
  verdict=$(python3 -c "print('ok' if $ts * 1000 < $target else 'SLOW')")
  printf '%-26s %14s %12s %8s %9s %8s %s\n' "$name" "$(calc "$ts*1000")" "$(calc "$ps*1000")" \
    "$(calc "$ts/$ps")" "$target" "$(median "${m[@]}")" "$verdict"
done
