#!/usr/bin/env bash
# Many writers on one PostgreSQL store (issue 10), as separate hosts would run them:
#  1. four `tr-incident import` processes at once, whose inputs overlap, lose nothing and store
#     each alert once; the audit chain verifies;
#  2. tr-correlate --store stays incremental on the shared store: hourly runs, each imported by
#     the real tr-incident while another importer writes unrelated alerts at the same time,
#     leave the incidents of one run over the whole day.
# Runs under `make test-pg` (TR_TEST_STORE=postgresql://...); skipped otherwise.
source "$(dirname "$0")/lib.sh"
pg_store
export TR_NOW=2026-12-03T12:00:00Z
sql() { psql -qAtX "$PG_STORE" -c "$1"; }
python3 "$TR_SOURCE_DIR/bench/correlate_gen.py" "$T/day.jsonl" 1000
total=$(jq -r .id "$T/day.jsonl" | sort -u | wc -l)

# 1. Four importers at once; slice k holds every 4th alert plus a tenth of slice k+1's.
pg_store; store1=$PG_STORE
python3 - "$T/day.jsonl" "$T/part" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines(True)
for k in range(4):
    mine = lines[k::4]
    other = lines[(k + 1) % 4::4][::10]
    open("%s-%d.jsonl" % (sys.argv[2], k), "w").writelines(mine + other)
PY
pids=()
for k in 0 1 2 3; do
  tr-incident --store "$store1" import --batch 50 "$T/part-$k.jsonl" 2>"$T/imp-$k.err" & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "an importer failed: $(cat "$T"/imp-*.err)"; done
PG_STORE=$store1
assert_eq "$(sql 'SELECT count(*) FROM alerts')" "$total" "alerts stored once each"
assert_eq "$(sql 'SELECT count(DISTINCT alert_id) FROM observables')" "$total" "observables of every alert"
tr-incident --store "$store1" audit verify >/dev/null || fail "audit chain broken after concurrent imports"

# 2. Hourly correlate + import against the shared store, with a concurrent unrelated writer.
summary() { jq -c 'select(.kind == "incident") | {id, alerts: (.alerts | sort)}' | sort; }
tr-correlate --window 1h --hub-min 10 --incidents-only "$T/day.jsonl" | summary >"$T/once"
pg_store; store2=$PG_STORE
python3 - "$T/day.jsonl" "$T/slice" <<'PY'
import sys
out = {}
for l in open(sys.argv[1]):
    t = l.split('"@timestamp":"', 1)[1]
    out.setdefault("%02d" % int(t[11:13]), []).append(l)
for k, ls in out.items():
    open("%s-%s.jsonl" % (sys.argv[2], k), "w").writelines(ls)
PY
# Unrelated alerts (other ids and hosts), imported meanwhile by "another host".
jq -c '.id = ("x" + .id) | .tr.observables = [] | del(.tr.incident)' "$T/day.jsonl" >"$T/noise.jsonl"
tr-incident --store "$store2" import --batch 20 "$T/noise.jsonl" 2>"$T/noise.err" & noise=$!
n=0
for f in "$T"/slice-*.jsonl; do
  tr-correlate --window 1h --hub-min 10 --store "$store2" "$f" | tr-incident --store "$store2" import \
    || fail "hour $f failed"
  n=$((n+1))
done
wait "$noise" || fail "the concurrent importer failed: $(cat "$T/noise.err")"
PG_STORE=$store2
sql "SELECT incident_id, alert_id FROM incident_alerts ORDER BY incident_id, alert_id" \
  | jq -R -c 'split("|") | {id: .[0], a: .[1]}' \
  | jq -s -c 'group_by(.id)[] | {id: .[0].id, alerts: [.[].a]}' | sort >"$T/hourly"
diff "$T/once" "$T/hourly" >"$T/diff" || { head -5 "$T/diff"; fail "hourly runs on the shared store give other incidents than one run"; }
assert_eq "$(sql "SELECT count(*) FROM alerts WHERE id LIKE 'x%'")" "$total" "the concurrent writer's alerts"
echo "pg_many_writers: ok ($total alerts, 4 importers; $(wc -l <"$T/once") incidents over $n hourly runs)"
