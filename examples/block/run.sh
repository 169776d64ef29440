#!/usr/bin/env bash
# Containment with tr-block: automatic response from incidents, a manual block, approval, the
# cron expiry and the audit trail. Run from the repository root with the tools on PATH.
set -euo pipefail
here=examples/block
export TR_CONFIG=$here/config.yaml TR_STORE=${TMPDIR:-/tmp}/block-example.db TR_ACTOR=soc-bot
export TR_NOW=${TR_NOW:-2026-12-03T12:00:00Z}
rm -f "$TR_STORE" "$TR_STORE"-wal "$TR_STORE"-shm
brief() { jq -r '[.status, .op, .target.value, .device, (.ttl // "-"), .detail] | join("  ")' | sed "s#$HOME#~#g"; }

echo "# automatic response (our own domain is refused by the allowlist; victims are never blocked)"
tr-block apply --policy $here/policy.yaml $here/incidents.jsonl 2>/dev/null | brief

echo "# a person approves the phishing URL"
id=$(tr-block list --state pending --format json | jq -r .id)
tr-block approve "$id" --actor alice | brief

echo "# manual block of a network, as a dry run first; reserved ranges are refused"
tr-block add --cidr 198.18.0.0/15 --reason "scanner" 2>/dev/null | brief
tr-block add --cidr 203.0.113.128/25 --ttl 12h --reason "scanner" --dry-run | brief
tr-block add --cidr 203.0.113.128/25 --ttl 12h --reason "scanner" --incident i-00000000000000aa | brief

echo "# what the firewall polls, and the ASA change ticket"
cat ~/edl-ip.txt
tr-block render --device dc-asa

echo "# the network team applied the ticket and saved the ASA's answer: sync confirms the entry"
tr-block sync --device dc-asa --from-file $here/asa-listing.txt | brief

echo "# the C2 address is seen again an hour later: renewed, not duplicated"
TR_NOW=2026-12-03T13:00:00Z tr-block add --ip 203.0.113.7 --device edge-edl --reason "C2 seen again" | brief

echo "# cron, the next day: expire lifts what is due"
TR_NOW=2026-12-04T12:30:00Z tr-block expire | brief
tr-block list

echo "# the audit trail of one block"
tr-block show "$id" | jq -r '.history[] | [.time, .actor, .action, .status] | join("  ")'
