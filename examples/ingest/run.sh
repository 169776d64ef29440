#!/usr/bin/env bash
# tr-ingest on a mixed log (Suricata EVE, CEF, FireEye CEF, LEEF, Firepower, PAN-OS): every
# line's format is recognised on its own, and each event
# becomes one alert record. Here we show a few key fields of each alert with jq, then what a
# broken line does (reported on stderr with its position, status 3, the rest still comes out).
set -uo pipefail
here=$(dirname "$0")
tr-ingest "$here/mixed.log" \
  | jq -r '[.id, .observer.product, .event.severity, .threat.classification, .source.ip // "-",
            .destination.ip // "-", .rule.name] | @tsv'
printf '%s\n' '{"event_type":"alert","src_ip":"10.0.0.1","alert":{"signature":"ok"}}' 'not an event' \
  | tr-ingest 2>&1 >/dev/null
echo "status $?"

# A product without a built-in format, described by a YAML mapping file: NetGuard JSON Lines
# (recognised by its "product" field) and Snort fast.log lines (by the mapping's regex), mixed
# in one stream with a Suricata alert. The heartbeat event is skipped, not rejected.
{ cat "$here/netguard.jsonl" "$here/fast.log"; head -n 1 "$here/mixed.log"; } \
  | tr-ingest --mapping "$here/acme-netguard.yaml" --mapping "$here/snort-fast.yaml" \
  | jq -r '[.event.dataset, .id, .event.severity, .threat.classification, .source.ip,
            .destination.ip // "-", .rule.name] | @tsv'
