#!/usr/bin/env bash
# Benchmark (issue 10): the case store on SQLite versus PostgreSQL.
#  - import throughput: alerts/s stored by 1, 2, 4 and 8 `tr-incident import` processes at once
#    (as separate hosts would run them) into one fresh store, the same records each time;
#  - list/show/kpi latency (median of ROUNDS whole-process runs) on the store the 8-writer run
#    left behind.
# Every writer holds the store's write lock per batch (BEGIN IMMEDIATE on SQLite, the advisory
# lock on PostgreSQL), so writers take turns: more writers overlap their parsing and round trips,
# not their writes. PostgreSQL: TR_TEST_STORE when it names a server, otherwise a private durable
# server (scripts/pg-test-server.sh with TR_PG_DURABLE=1, fsync on) started and stopped here.
#   bench/store_scale.sh [INCIDENTS] [ALERTS_PER_INCIDENT]   (TR_BIN: built tools)
# The issue asks for 1 million alerts; at 2 shared cores that takes hours per backend, so the
# default is 2,000 incidents x 10 alerts (22,000 records); say BENCH_N=100000 for a big run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${TR_BIN:-$root/build/bin}
n=${1:-${BENCH_N:-2000}}
per=${2:-10}
rounds=${ROUNDS:-3}
dir=$(mktemp -d /tmp/tr-bench-store.XXXXXX)
export HOME=$dir XDG_DATA_HOME=$dir/data XDG_CONFIG_HOME=$dir/config TR_ACTOR=bench
export TR_NOW=2026-10-30T23:00:00Z
started_pg=0
base=${TR_TEST_STORE:-}
cleanup() {
  ((started_pg)) && TR_PG_DIR=$dir/pg bash "$root/scripts/pg-test-server.sh" stop
  rm -rf "$dir"
}
trap cleanup EXIT
if [[ $base != postgres*://* ]]; then
  base=$(TR_PG_DIR=$dir/pg TR_PG_DURABLE=1 bash "$root/scripts/pg-test-server.sh" start)
  started_pg=1
fi
echo "generating $n incidents x $per alerts in 8 chunks ..."
python3 "$root/bench/incident_gen.py" "$dir" "$n" "$per" 8
records=$(cat "$dir"/chunk*.jsonl | wc -l)
alerts=$(cat "$dir"/chunk*.jsonl | grep -c '"kind": *"alert"' || true)

fresh() {  # fresh BACKEND TAG: prints a new empty store's locator
  if [[ $1 == sqlite ]]; then echo "$dir/$2.db"; return; fi
  psql -qX "$base" -c "CREATE SCHEMA bench_$2" >/dev/null
  local sep='?'; [[ $base == *\?* ]] && sep='&'
  echo "$base${sep}options=-csearch_path%3Dbench_$2"
}
now() { date +%s.%N; }
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])) * 1000:.0f}')" "$@"; }

declare -A rate lat
for backend in sqlite postgresql; do
  for w in 1 2 4 8; do
    store=$(fresh $backend "w$w")
    "$bin/tr-incident" --store "$store" list >/dev/null   # create and migrate outside the timing
    t0=$(now)
    pids=()
    for k in $(seq 0 $((w - 1))); do
      files=()
      for c in $(seq "$k" "$w" 7); do files+=("$dir/chunk$c.jsonl"); done
      "$bin/tr-incident" --store "$store" import "${files[@]}" 2>"$dir/imp-$k.err" & pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || { cat "$dir"/imp-*.err; exit 4; }; done
    t1=$(now)
    got=$("$bin/tr-incident" --store "$store" list --limit 0 --format json | wc -l)
    rate[$backend,$w]=$(python3 -c "print(f'{$alerts / ($t1 - $t0):,.0f}')")
    echo "$backend: $w writer(s): ${rate[$backend,$w]} alerts/s ($records records, $got incidents)"
  done
  id=$("$bin/tr-incident" --store "$store" list --limit 1 --format json | jq -r .id)
  for q in "list --status new --priority P1 --limit 50" "show $id" "kpi --since 60d"; do
    ts=()
    for r in $(seq "$rounds"); do
      a=$(now); "$bin/tr-incident" --store "$store" $q >/dev/null; b=$(now)
      ts+=("$(python3 -c "print($b - $a)")")
    done
    lat[$backend,${q%% *}]=$(median "${ts[@]}")
  done
done
echo
printf '%-22s %12s %12s %8s\n' "" "SQLite" "PostgreSQL" "PG/SQLite"
for w in 1 2 4 8; do
  s=${rate[sqlite,$w]} p=${rate[postgresql,$w]}
  printf '%-22s %12s %12s %8s\n' "import, $w writer(s) /s" "$s" "$p" \
    "$(python3 -c "print(f'{${p//,/} / ${s//,/}:.2f}')")"
done
for q in list show kpi; do
  s=${lat[sqlite,$q]} p=${lat[postgresql,$q]}
  printf '%-22s %10s ms %10s ms %8s\n' "$q latency" "$s" "$p" "$(python3 -c "print(f'{$p / max($s, 1):.2f}')")"
done
echo "($alerts alerts in $n incidents; latencies are whole processes: start, open, query, print)"
