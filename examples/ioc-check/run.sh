#!/usr/bin/env bash
# From an alert to a verdict: Suricata saw wks-042 talk to a known C2 address and fetch
# invoice.doc; the sandbox ran the document (report.json). Check the endpoint snapshots of the
# alert's host and its neighbours against the report: wks-042 is infected (the dropped file's
# hash, the C2 connection, its Run key), wks-044 only has a file of the same name
# (suspicious), wks-043 is clean. The status is 1 because a host is infected.
set -uo pipefail
dir=examples/ioc-check
out=$(mktemp)
trap 'rm -f "$out"' EXIT
host=$(jq -r '.host.name' $dir/alert.json)
echo "alert on $host: $(jq -r .message $dir/alert.json)"
tr-ioc-check --iocs $dir/report.json --incident i-demo $dir/snapshots.jsonl >"$out"
echo "status $?"
jq -c '{host, verdict, matches: [.matches[] | "\(.strength) \(.indicator.type) \(.indicator.value) (\(.indicator.source)) = \(.artifact.type).\(.field)"]}' \
  "$out"
# Keep the report's indicators: later checks of any host match them as historic.
tr-ioc-check import --incident i-demo $dir/report.json
jq -nc '{kind:"artifact", host:"wks-077", type:"dns", name:"c2.evil.example"}' | tr-ioc-check >"$out"
echo "status $?"
jq -c '{host, verdict, historic: [.matches[] | {(.indicator.value): .indicator.incident}]}' "$out"
