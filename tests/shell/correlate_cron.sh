#!/usr/bin/env bash
# tr-correlate end to end on a generated day (bench/correlate_gen.py, small):
#  - the same incidents whatever the input order: a full shuffle under a wide --late, and a
#    jitter of up to ten minutes under the default --late with a 1h window (streaming closes);
#  - incremental: runs over each hour with --store, each imported into the case store, leave
#    the store with the incidents of one run over the whole day. The update domain on a quarter
#    of the alerts is a hub in both (--hub-min 10): hub counts are per run (see the man page).
# The import is a small stand-in for tr-incident import (tests/shell/correlate_import.py) so
# that this test checks tr-correlate's side of the contract only.
source "$(dirname "$0")/lib.sh"
export TR_NOW=2026-12-03T12:00:00Z
here=$(cd "$(dirname "$0")" && pwd)
python3 "$TR_SOURCE_DIR/bench/correlate_gen.py" "$T/day.jsonl" 2000
# {id, sorted alerts} of every incident, sorted: the incidents as a set.
summary() { jq -c 'select(.kind == "incident") | {id, alerts: (.alerts | sort)}' | sort; }

# 1. Order.
tr-correlate --window 1h --hub-min 10 --incidents-only "$T/day.jsonl" | summary >"$T/sorted"
[[ $(wc -l <"$T/sorted") -gt 100 ]] || fail "too few incidents: $(wc -l <"$T/sorted")"
python3 - "$T/day.jsonl" "$T/shuffled.jsonl" "$T/jittered.jsonl" <<'PY'
import json, random, sys
lines = open(sys.argv[1]).read().splitlines()
rng = random.Random(3)
full = lines[:]
rng.shuffle(full)
open(sys.argv[2], "w").write("\n".join(full) + "\n")
def key(l):
    t = json.loads(l)["@timestamp"]
    h, m, s = int(t[11:13]), int(t[14:16]), float(t[17:23])
    return h * 3600 + m * 60 + s + rng.uniform(0, 600)
open(sys.argv[3], "w").write("\n".join(sorted(lines, key=key)) + "\n")
PY
tr-correlate --window 1h --hub-min 10 --late 2d --incidents-only "$T/shuffled.jsonl" | summary >"$T/shuffled"
diff -q "$T/sorted" "$T/shuffled" >/dev/null || fail "a shuffled input gives other incidents"
tr-correlate --window 1h --hub-min 10 --incidents-only "$T/jittered.jsonl" 2>"$T/jitter.err" | summary >"$T/jittered"
diff -q "$T/sorted" "$T/jittered" >/dev/null || fail "alerts out of order by up to 10m give other incidents"
[[ ! -s $T/jitter.err ]] || fail "unexpected diagnostics: $(cat "$T/jitter.err")"

# 2. Every hour vs once.
db=$T/cases.db
tr-correlate --store "$db" </dev/null
python3 - "$T/day.jsonl" "$T/slice" <<'PY'
import sys
out = {}
for l in open(sys.argv[1]):
    t = l.split('"@timestamp":"', 1)[1]
    k = "%02d" % int(t[11:13])
    out.setdefault(k, []).append(l)
for k, ls in out.items():
    open("%s-%s.jsonl" % (sys.argv[2], k), "w").writelines(ls)
PY
n=0
for f in "$T"/slice-*.jsonl; do
  tr-correlate --window 1h --hub-min 10 --store "$db" "$f" | python3 "$here/correlate_import.py" "$db"
  n=$((n+1))
done
[[ $n -ge 20 ]] || fail "only $n slices"
sqlite3 "$db" "SELECT incident_id, alert_id FROM incident_alerts ORDER BY incident_id, alert_id" \
  | jq -R -c 'split("|") | {id: .[0], a: .[1]}' \
  | jq -s -c 'group_by(.id)[] | {id: .[0].id, alerts: [.[].a]}' | sort >"$T/cron"
diff "$T/sorted" "$T/cron" >"$T/cron.diff" || { head -5 "$T/cron.diff"; fail "hourly runs give other incidents than one run"; }
# Counts are recomputed over the store's alerts, each counted once.
bad=$(sqlite3 "$db" "SELECT count(*) FROM incidents i WHERE json_extract(i.record, '$.alert_count') != (SELECT count(*) FROM incident_alerts ia WHERE ia.incident_id = i.id)")
assert_eq "$bad" 0 "incidents whose alert_count differs from their alerts"
echo "correlate_cron: ok ($(wc -l <"$T/sorted") incidents, $n runs)"
