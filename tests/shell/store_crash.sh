#!/usr/bin/env bash
# Crash safety of the case store (issue 9):
#  1. A bulk import killed with SIGKILL at random points, many times: afterwards the store
#     passes PRAGMA integrity_check and holds only whole batches; a rerun completes the import
#     without duplicates.
#  2. A full disk and a read-only store give a clear error and status 4, and leave the store
#     as it was (no half-written record).
source "$(dirname "$0")/lib.sh"
export TR_NOW=2026-12-03T12:00:00Z
N=20000
BATCH=500

# Alerts to import: N distinct Suricata alerts through the real ingest.
python3 - "$N" >"$T/eve.json" <<'PY'
import json, sys
n = int(sys.argv[1])
for i in range(n):
    print(json.dumps({"timestamp": "2026-12-03T%02d:%02d:%02d.000+0000" % (i // 3600 % 24, i // 60 % 60, i % 60),
        "flow_id": 1000000 + i, "event_type": "alert", "src_ip": "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255),
        "src_port": 40000 + i % 20000, "dest_ip": "203.0.113.%d" % (i % 250 + 1), "dest_port": 443, "proto": "TCP",
        "alert": {"action": "allowed", "gid": 1, "signature_id": 2000000 + i % 50, "rev": 1,
                  "signature": "ET TEST signature %d" % (i % 50), "category": "Test", "severity": 2}}))
PY
tr-ingest "$T/eve.json" >"$T/alerts.jsonl"
assert_eq "$(wc -l <"$T/alerts.jsonl")" "$N" "ingested alerts"

store=$T/crash.db
count() { sqlite3 "$store" 'SELECT count(*) FROM alerts'; }
kills=0
for round in $(seq 1 12); do
  tr-incident --store "$store" import --batch $BATCH "$T/alerts.jsonl" 2>/dev/null &
  pid=$!
  # Kill somewhere between 20 ms and 600 ms in.
  sleep "0.$(printf '%03d' $((RANDOM % 580 + 20)))"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills+1)); fi
  wait "$pid" 2>/dev/null || true
  [[ -f $store ]] || continue
  ic=$(sqlite3 "$store" 'PRAGMA integrity_check')
  assert_eq "$ic" ok "integrity after kill $round"
  fk=$(sqlite3 "$store" 'PRAGMA foreign_key_check' | wc -l)
  assert_eq "$fk" 0 "foreign keys after kill $round"
  c=$(count)
  if ((c != N && c % BATCH != 0)); then fail "round $round: $c alerts is not a whole number of batches of $BATCH"; fi
  # Observables belong only to stored alerts.
  orphans=$(sqlite3 "$store" 'SELECT count(*) FROM observables WHERE alert_id NOT IN (SELECT id FROM alerts)')
  assert_eq "$orphans" 0 "orphan observables after kill $round"
done
echo "store_crash: $kills imports killed mid-way"
((kills >= 3)) || fail "too few imports were killed mid-way ($kills); the test did not test anything"

tr-incident --store "$store" import --batch $BATCH "$T/alerts.jsonl"
assert_eq "$(count)" "$N" "alerts after the rerun"
assert_eq "$(sqlite3 "$store" 'SELECT count(DISTINCT id) FROM alerts')" "$N" "distinct alerts"
assert_eq "$(sqlite3 "$store" 'PRAGMA integrity_check')" ok "final integrity"

# 2a. Read-only store: status 4, a clear message, nothing changed.
ro=$T/ro.db
head -100 "$T/alerts.jsonl" | tr-incident --store "$ro" import
before=$(sqlite3 "$ro" 'SELECT count(*) FROM alerts')
sqlite3 "$ro" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
chattr +i "$ro" 2>/dev/null && immutable=1 || immutable=0
if ((immutable == 0)); then
  # Without chattr (some file systems), a read-only bind mount does the same job.
  mkdir -p "$T/romnt"; cp "$ro" "$T/romnt/"; ro=$T/romnt/ro.db
  mount --bind "$T/romnt" "$T/romnt" && mount -o remount,ro,bind "$T/romnt" || fail "cannot make a read-only store here"
fi
set +e
sed -n 101,200p "$T/alerts.jsonl" | tr-incident --store "$ro" import 2>"$T/ro.err"
rc=$?
set -e
((immutable)) && chattr -i "$ro" || umount "$T/romnt"
assert_eq "$rc" 4 "status on a read-only store"
grep -qiE "read-only|readonly|unable to open|attempt to write" "$T/ro.err" || fail "unclear message: $(cat "$T/ro.err")"
assert_eq "$(sqlite3 "$ro" 'SELECT count(*) FROM alerts')" "$before" "read-only store changed"

# 2b. Full disk: a store on a tiny tmpfs; the import fails with status 4, and what is in the
# store is whole batches that pass the integrity check.
mkdir -p "$T/full"
mount -t tmpfs -o size=600k tmpfs "$T/full" || fail "cannot mount a small tmpfs for the full-disk test"
set +e
tr-incident --store "$T/full/cases.db" import --batch $BATCH "$T/alerts.jsonl" 2>"$T/full.err"
rc=$?
set -e
c=$(sqlite3 "$T/full/cases.db" 'SELECT count(*) FROM alerts' 2>/dev/null || echo 0)
ic=$(sqlite3 "$T/full/cases.db" 'PRAGMA integrity_check' 2>/dev/null || echo unreadable)
umount "$T/full"
assert_eq "$rc" 4 "status on a full disk"
grep -qiE "full|space" "$T/full.err" || fail "unclear message: $(cat "$T/full.err")"
assert_eq "$ic" ok "integrity of the store on the full disk"
((c % BATCH == 0)) || fail "full disk left $c alerts, not whole batches"
echo "store_crash: ok"
