#!/usr/bin/env bash
# Files are checked not once but repeatedly: a hash VirusTotal did not know when the alert was
# enriched is asked about again by `tr-enrich recheck --older`, and an alert comes out when
# the verdict has changed; a hash whose answer is not old enough yet is left alone.
source "$(dirname "$0")/lib.sh"
export VT_KEY=test-key
cat >"$T/config.yaml" <<'YAML'
enrich:
  virustotal: {enabled: true, url: {env: TR_TEST_URL}, api_key: {env: VT_KEY}, rate: 100, window: 1s}
YAML
unknown=0123456789abcdef0123456789abcdef
printf '{"kind":"alert","id":"a-1","file":{"hash":{"md5":"%s"}}}\n' "$unknown" >"$T/alerts.jsonl"

# Day 1: VirusTotal has never seen the file.
start_server "$TR_SOURCE_DIR/tests/servers/virustotal.py" --scenario ok
export TR_TEST_URL=$SERVER_URL TR_NOW=2026-12-03T12:00:00Z
verdict=$(tr-enrich --config "$T/config.yaml" "$T/alerts.jsonl" | jq -r '.tr.enrichment.intel.virustotal[0].verdict')
assert_eq "$verdict" unknown "first answer"

# Two hours later: not old enough for --older 6h, nothing is asked.
export TR_NOW=2026-12-03T14:00:00Z
out=$(tr-enrich --config "$T/config.yaml" recheck --older 6h)
assert_eq "$out" "" "nothing due"
assert_eq "$(wc -l <"$SERVER_LOG")" 1 "no request before the hash is due"

# Seven hours later, VirusTotal's engines have caught up.
kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null || true
start_server "$TR_SOURCE_DIR/tests/servers/virustotal.py" --scenario detected
export TR_TEST_URL=$SERVER_URL TR_NOW=2026-12-03T19:00:00Z
tr-enrich --config "$T/config.yaml" recheck --older 6h >"$T/recheck.jsonl"
assert_eq "$(wc -l <"$T/recheck.jsonl")" 1 "one changed verdict"
assert_eq "$(jq -r '[.kind, .event.dataset, .file.hash.md5, .tr.recheck.previous_verdict, .tr.enrichment.intel.virustotal[0].verdict, .tr.priority] | join(" ")' "$T/recheck.jsonl")" \
  "alert tr.recheck $unknown unknown malicious P2" "recheck alert"
jq -e '.message | test("VirusTotal now calls md5 .* malicious \\(41 of 70 engines malicious\\); it was unknown when first seen 2026-12-03T12:00:00.000Z")' "$T/recheck.jsonl" >/dev/null || fail "message: $(jq -r .message "$T/recheck.jsonl")"

# The changed hash is not asked about again.
export TR_NOW=2026-12-04T12:00:00Z
out=$(tr-enrich --config "$T/config.yaml" recheck --older 6h)
assert_eq "$out" "" "a changed hash is forgotten"
assert_eq "$(wc -l <"$SERVER_LOG")" 1 "one request in the second period"
echo ok
