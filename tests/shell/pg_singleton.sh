#!/usr/bin/env bash
# Singleton jobs (issue 10): the same cron entry on three "hosts" sharing one store does the
# work once. Three `tr-block expire` start together while a fourth process holds the job lock
# for a moment, then again without it: each due block is lifted exactly once, the others skip
# quietly with status 0. On SQLite (always) and on PostgreSQL (under make test-pg).
source "$(dirname "$0")/lib.sh"
cat >"$T/config.yaml" <<CONF
devices:
  edl: {type: edl, path: $T/ip.txt, list: ip, comments: false}
limits: {max_per_run: 100, max_per_hour: 1000}
CONF
export TR_CONFIG="$T/config.yaml"

run() {  # run STORE LABEL
  export TR_STORE=$1
  for i in 1 2 3 4 5; do
    TR_NOW=2026-12-03T12:00:00Z tr-block add --device edl --ip "198.51.100.$i" --ttl 1h --reason "r$i" >/dev/null
  done
  pids=()
  for h in 1 2 3; do
    TR_NOW=2026-12-03T14:00:00Z tr-block -v expire >"$T/$2-$h.out" 2>"$T/$2-$h.err" & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || fail "$2: an expire run failed: $(cat "$T/$2"-*.err)"; done
  expired=$(cat "$T/$2"-*.out | jq -r 'select(.status == "expired") | .target.value' | sort)
  assert_eq "$(echo "$expired" | wc -l)" 5 "$2: blocks lifted (each once)"
  assert_eq "$(echo "$expired" | uniq -d | wc -l)" 0 "$2: no block lifted twice"
  assert_eq "$(tr-block list --format json | jq -s length)" 0 "$2: live blocks left"
  assert_eq "$(grep -vc '^#' "$T/ip.txt" || true)" 0 "$2: entries left in the published file"
  # A held lock makes the job skip, quietly and with status 0.
  TR_NOW=2026-12-03T12:00:00Z tr-block add --device edl --ip 198.51.100.9 --ttl 1h --reason late >/dev/null
  rm -f "$T/ready"
  python3 "$TR_SOURCE_DIR/tests/shell/pg_hold_lock.py" "$1" block-expire 4 "$T/ready" & holder=$!
  for _ in $(seq 100); do [[ -e $T/ready ]] && break; sleep 0.2; done
  [[ -e $T/ready ]] || fail "$2: the lock holder did not start"
  TR_NOW=2026-12-03T14:00:00Z tr-block -v expire >"$T/$2-held.out" 2>"$T/$2-held.err" || fail "$2: a skipped run failed"
  grep -q "skipped" "$T/$2-held.err" || fail "$2: no skip message: $(cat "$T/$2-held.err")"
  [[ ! -s $T/$2-held.out ]] || fail "$2: a skipped run did work"
  wait "$holder" || fail "$2: the lock holder failed"
  TR_NOW=2026-12-03T14:00:00Z tr-block expire | jq -r .status | grep -qx expired || fail "$2: the lock was not released"
}
run "$T/cases.db" sqlite
if [[ ${TR_TEST_STORE:-} == postgres*://* ]]; then
  pg_store
  : >"$T/ip.txt"
  run "$PG_STORE" postgresql
fi
echo "pg_singleton: ok"
