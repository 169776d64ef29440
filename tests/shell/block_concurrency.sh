#!/usr/bin/env bash
# Several tr-block processes at once (two cron jobs and an analyst): the same value added by
# many of them at the same moment ends up as one live block (the others renew it), every other
# value is blocked once, the published file holds each exactly once, nothing fails.
source "$(dirname "$0")/lib.sh"
cat >"$T/config.yaml" <<CONF
devices:
  edl: {type: edl, path: $T/ip.txt, list: ip, comments: false}
limits: {max_per_run: 100, max_per_hour: 1000}
CONF
export TR_CONFIG="$T/config.yaml" TR_STORE="$T/cases.db"
tr-block list >/dev/null   # create the store once
pids=()
for i in $(seq 1 8); do
  tr-block add --device edl --ip 203.0.113.7 --ttl 1h --reason "same $i" >"$T/same-$i.out" 2>"$T/same-$i.err" & pids+=($!)
  tr-block add --device edl --ip "198.51.100.$i" --ttl 1h --reason "other $i" >"$T/other-$i.out" 2>"$T/other-$i.err" & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a tr-block process failed: $(cat "$T"/*.err)"; done
cat "$T"/*.err | grep . && fail "unexpected diagnostics"
statuses=$(cat "$T"/same-*.out | jq -r .status | sort | uniq -c | awk '{print $2":"$1}' | tr '\n' ' ')
assert_eq "$statuses" "applied:1 renewed:7 " "one applied, the rest renewed"
assert_eq "$(tr-block list --format json | jq -s 'length')" "9" "live blocks"
assert_eq "$(tr-block list --all --format json | jq -s 'length')" "9" "no duplicate rows"
assert_eq "$(grep -v '^#' "$T/ip.txt" | sort | uniq -d | wc -l)" "0" "no duplicate lines"
assert_eq "$(grep -vc '^#' "$T/ip.txt")" "9" "entries in the published file"
# The audit chain is intact after concurrent writers.
sqlite3 "$TR_STORE" "select count(*) from audit" | grep -qx 16 || fail "audit entries: $(sqlite3 "$TR_STORE" "select count(*) from audit")"
echo "PASS block_concurrency"
