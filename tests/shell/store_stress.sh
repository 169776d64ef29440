#!/usr/bin/env bash
# Concurrency (issue 9): several writers against one store for a bounded time — bulk imports
# (cron), block additions and expiry (cron), analyst notes — and afterwards every write that a
# tool reported as done is in the store, the audit chain verifies, and the store is sound.
source "$(dirname "$0")/lib.sh"
export TR_NOW=2026-12-03T12:00:00Z TR_STORE=$T/cases.db
SECONDS_TO_RUN=${STRESS_SECONDS:-8}
cat >"$T/config.yaml" <<YAML
devices:
  edl: {type: edl, path: $T/edl.txt, list: ip}
lists:
  ip: [edl]
limits: {max_per_run: 1000, max_per_hour: 100000}
YAML
export TR_CONFIG=$T/config.yaml

# One incident for the analyst to work on.
bash "$TR_SOURCE_DIR/examples/demo.sh" >/dev/null 2>&1 || fail "demo import failed"
incident=$(tr-incident list --format json | jq -r 'select(.title|test("Emotet")) | .id' | head -1)
[[ -n $incident ]] || fail "no incident to annotate"

python3 - >"$T/eve.json" <<'PY'
import json
for i in range(30000):
    print(json.dumps({"timestamp": "2026-12-03T11:%02d:%02d.000+0000" % (i // 60 % 60, i % 60), "flow_id": 5000000 + i,
        "event_type": "alert", "src_ip": "10.9.%d.%d" % (i >> 8 & 255, i & 255), "src_port": 1024 + i % 60000,
        "dest_ip": "198.51.100.%d" % (i % 200 + 1), "dest_port": 80, "proto": "TCP",
        "alert": {"action": "allowed", "gid": 1, "signature_id": 3000000 + i % 10, "rev": 1,
                  "signature": "ET STRESS %d" % (i % 10), "category": "Test", "severity": 3}}))
PY
tr-ingest "$T/eve.json" | split -l 1000 - "$T/chunk."

end=$((SECONDS + SECONDS_TO_RUN))
importer() {
  local n=0
  for f in "$T"/chunk.*; do
    ((SECONDS < end)) || break
    tr-incident import --batch 250 "$f" && echo "$f" >>"$T/imported" || echo "import of $f failed" >>"$T/errors"
    n=$((n+1))
  done
}
blocker() {
  local i=0
  while ((SECONDS < end)); do
    i=$((i+1))
    ip="203.0.113.$((i % 250 + 1))"
    if tr-block add --device edl --ip "$ip" --ttl 1s --reason "stress $i" >/dev/null 2>>"$T/block.err"; then
      echo "$ip" >>"$T/blocked"
    fi
    if ((i % 5 == 0)); then tr-block expire >/dev/null 2>>"$T/block.err" || echo "expire failed" >>"$T/errors"; fi
  done
}
analyst() {
  local i=0
  while ((SECONDS < end)); do
    i=$((i+1))
    if tr-incident note "$incident" "note $i"; then echo "note $i" >>"$T/notes"; else echo "note $i failed" >>"$T/errors"; fi
  done
}
importer & p1=$!
blocker & p2=$!
analyst & p3=$!
wait $p1 $p2 $p3

[[ ! -s $T/errors ]] || fail "writers failed: $(head -5 "$T/errors")"
imported=$(cat "$T/imported" 2>/dev/null | wc -l)
((imported > 0)) || fail "no import finished"
# Every alert of every finished import is there.
want=$(cat $(cat "$T/imported") | jq -r .id | sort -u | wc -l)
have=$(sqlite3 "$TR_STORE" "SELECT count(*) FROM alerts WHERE message LIKE 'ET STRESS%'")
assert_eq "$have" "$want" "stress alerts in the store"
# Every note the analyst was told was saved is on the timeline.
notes=$(wc -l <"$T/notes")
((notes > 0)) || fail "no note was saved"
on_timeline=$(sqlite3 "$TR_STORE" "SELECT count(*) FROM timeline WHERE incident_id = '$incident' AND event = 'note'")
assert_eq "$on_timeline" "$notes" "notes on the timeline"
# Every block that was reported added is in the store (live or since expired).
if [[ -s $T/blocked ]]; then
  blocks=$(wc -l <"$T/blocked")
  stored=$(sqlite3 "$TR_STORE" "SELECT count(*) FROM blocks WHERE reason LIKE 'stress %'")
  ((stored >= blocks)) || fail "$blocks blocks reported added, $stored in the store"
fi
tr-incident audit verify >/dev/null || fail "audit chain does not verify after concurrent writers"
assert_eq "$(sqlite3 "$TR_STORE" 'PRAGMA integrity_check')" ok "integrity"
echo "store_stress: $imported imports, $notes notes, $(wc -l <"$T/blocked" 2>/dev/null || echo 0) blocks: ok"
