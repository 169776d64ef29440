#!/usr/bin/env bash
# tr-enrich respects the VirusTotal rate limit: with 3 requests per 2 s and 9 lookups, the test
# server's request log must show a token-bucket pattern: for any two requests i < j, the count
# from i to j is at most burst + rate * (t_j - t_i) / window (with a little slack for the
# network), so no window ever holds more than the limit allows. No sleeps, no upper time bounds.
source "$(dirname "$0")/lib.sh"
start_server "$TR_SOURCE_DIR/tests/servers/virustotal.py"
export VT_KEY=test-key TR_TEST_URL=$SERVER_URL
cat >"$T/config.yaml" <<'YAML'
enrich:
  virustotal: {enabled: true, url: {env: TR_TEST_URL}, api_key: {env: VT_KEY}, rate: 3, window: 2s, concurrency: 4}
YAML
for i in $(seq 1 9); do
  printf '{"kind":"alert","id":"a-%d","file":{"hash":{"md5":"%032x"}}}\n' "$i" "$i"
done >"$T/alerts.jsonl"
tr-enrich --config "$T/config.yaml" "$T/alerts.jsonl" >"$T/out.jsonl"
assert_eq "$(wc -l <"$T/out.jsonl")" 9 "every alert comes out"
assert_eq "$(jq -r '.tr.enrichment.intel.virustotal[0].verdict' "$T/out.jsonl" | sort -u)" unknown "answers"
assert_eq "$(wc -l <"$SERVER_LOG")" 9 "one request per hash"
python3 - "$SERVER_LOG" <<'PY'
import json, sys
times = sorted(json.loads(l)["t"] for l in open(sys.argv[1]))
burst, rate, window, slack = 3, 3, 2.0, 0.25
for i in range(len(times)):
    for j in range(i, len(times)):
        allowed = burst + rate * (times[j] - times[i] + slack) / window
        if j - i + 1 > allowed + 1e-9:
            sys.exit(f"FAIL: {j-i+1} requests in {times[j]-times[i]:.2f} s (allowed {allowed:.2f})")
span = times[-1] - times[0]
if span < (len(times) - burst) * window / rate - 0.5:
    sys.exit(f"FAIL: 9 requests within {span:.2f} s")
PY
echo ok
