#!/usr/bin/env bash
# An analyst updating incidents while a cron import runs loses nothing (issue 8): both write
# the same incidents at the same time; afterwards every analyst change and every imported
# alert is there, and the audit chain is intact.
source "$(dirname "$0")/lib.sh"
export TR_STORE=$T/cases.db TR_NOW=2026-12-03T12:00:00Z
gen() {  # gen FIRST LAST ALERTS_FROM: incidents i-FIRST..i-LAST, each with 2 alerts
  python3 - "$@" <<'PY'
import json, sys
first, last, salt = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for n in range(first, last + 1):
    iid = "i-%016x" % n
    ids = []
    for k in range(2):
        aid = "a-%s-%d-%d" % (salt, n, k)
        ids.append(aid)
        print(json.dumps({"kind": "alert", "id": aid, "@timestamp": "2026-12-03T10:00:00Z",
                          "message": "m", "tr": {"incident": iid}}))
    print(json.dumps({"kind": "incident", "id": iid, "title": "t%d" % n, "severity": 50,
                      "priority": "P3", "alerts": ids, "tags": ["auto"],
                      "targets": {"users": ["u%d" % (n % 7)]}}))
PY
}
gen 1 40 base >"$T/base.jsonl"
# The cron batch: the same 40 incidents again with new alerts, and 3000 new ones.
{ gen 1 40 cron; gen 41 3040 new; } >"$T/cron.jsonl"
tr-incident import "$T/base.jsonl"

tr-incident import --batch 100 "$T/cron.jsonl" &
import_pid=$!
for n in $(seq 1 40); do
  id=$(printf 'i-%016x' "$n")
  tr-incident update "$id" --status triaged --assignee "analyst$n" --tag "seen" --actor alice
  tr-incident note "$id" "note $n" --actor alice
done
wait "$import_pid" || fail "import failed"

count() { sqlite3 "$TR_STORE" "$1"; }
assert_eq "$(count 'SELECT count(*) FROM incidents')" 3040 "incidents"
assert_eq "$(count 'SELECT count(*) FROM alerts')" 6160 "alerts"
assert_eq "$(count "SELECT count(*) FROM incidents WHERE status = 'triaged' AND assignee LIKE 'analyst%'")" 40 "analyst updates"
for n in 1 17 40; do
  id=$(printf 'i-%016x' "$n")
  got=$(tr-incident show "$id" --format json | jq -c '[.status, .assignee, (.tags|sort), .alert_count, ([.notes[].text])]')
  assert_eq "$got" "[\"triaged\",\"analyst$n\",[\"auto\",\"seen\"],4,[\"note $n\"]]" "incident $n"
done
assert_eq "$(count "SELECT count(*) FROM timeline WHERE event = 'note'")" 40 "notes"
assert_eq "$(count "SELECT sum(alert_count) FROM incidents")" 6160 "alert counts"
tr-incident audit verify || fail "audit chain broken"
echo "incident_concurrency: ok"
