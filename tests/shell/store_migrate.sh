#!/usr/bin/env bash
# tr-incident store migrate (issue 10): a store (the incident fixtures, a block, a note) copied into a new store reads back the
# same (list, show, KPIs, blocks, audit chain), the copy is refused into a store that has rows
# (status 2, nothing changed) and a destination server that is away is status 4 without the
# password in the message. Into an SQLite file always; into PostgreSQL under make test-pg.
source "$(dirname "$0")/lib.sh"
export TR_NOW=2026-12-03T12:00:00Z TR_STORE=$T/cases.db
cat >"$T/config.yaml" <<CONF
devices:
  edl: {type: edl, path: $T/ip.txt, list: ip}
CONF
export TR_CONFIG=$T/config.yaml
tr-incident import "$TR_SOURCE_DIR/tests/fixtures/incident/pipeline.jsonl" 2>/dev/null || fail "import failed"
first=$(tr-incident list --format json | jq -r .id | head -1)
tr-block add --device edl --ip 203.0.113.7 --ttl 1h --incident "$first" --reason C2 >/dev/null
tr-incident note "$first" "checked by the migration test" >/dev/null

views() {  # views STORE: what an analyst sees
  tr-incident --store "$1" list --format json
  tr-incident --store "$1" show "$first" --format json
  tr-incident --store "$1" kpi --since 30d --format json
  tr-block --store "$1" list --format json
}
check_copy() {  # check_copy DEST LABEL
  tr-incident store migrate --to "$1" >"$T/$2.out" 2>"$T/$2.err" || fail "$2: migrate failed: $(cat "$T/$2.err")"
  grep -qE '^alerts [1-9]' "$T/$2.out" || fail "$2: no alerts copied: $(cat "$T/$2.out")"
  diff <(views "$TR_STORE") <(views "$1") >"$T/$2.diff" \
    || { head -20 "$T/$2.diff"; fail "$2: the copy reads back differently"; }
  # The same audit trail, plus the copy's own store.migrated entry at the end.
  diff <(tr-incident audit export) <(tr-incident --store "$1" audit export | head -n -1) >"$T/$2.adiff" \
    || { head -5 "$T/$2.adiff"; fail "$2: the audit trail differs"; }
  tr-incident --store "$1" audit verify >/dev/null || fail "$2: audit chain broken in the copy"
  tr-incident --store "$1" audit export | tail -1 | jq -e '.action == "store.migrated"' >/dev/null \
    || fail "$2: no store.migrated audit entry"
  # New rows get new keys after copied ones (identity sequences moved on).
  tr-incident --store "$1" note "$first" "after the copy" >/dev/null || fail "$2: cannot write to the copy"
}
check_copy "$T/copy.db" sqlite
set +e
tr-incident store migrate --to "$T/copy.db" >/dev/null 2>"$T/again.err"; rc=$?
set -e
assert_eq "$rc" 2 "into a store with rows"
grep -q "is not empty" "$T/again.err" || fail "no reason given: $(cat "$T/again.err")"
set +e
tr-incident store migrate --to "postgresql://tr:s3cret@127.0.0.1:1/tr?connect_timeout=2" >/dev/null 2>"$T/away.err"; rc=$?
set -e
assert_eq "$rc" 4 "a server that is away"
grep -q "s3cret" "$T/away.err" && fail "the password leaked: $(cat "$T/away.err")"
grep -q 'postgresql://tr:\*\*\*@127.0.0.1:1/tr' "$T/away.err" || fail "message: $(cat "$T/away.err")"
if [[ ${TR_TEST_STORE:-} == postgres*://* ]]; then
  pg_store
  check_copy "$PG_STORE" postgresql
fi
echo "store_migrate: ok"
