#!/usr/bin/env bash
# Twenty-five alerts from a mail gateway, an IDS, a web proxy and a sandbox become six incidents: a
# phishing campaign to twelve mailboxes (one of them the CFO's), two infected laptops that
# share only the web proxy (on the never-link list), a botnet of five hosts on one C2, and two
# lone alerts. Each line: the incident, its tags, its alerts and the values that linked them.
set -euo pipefail
dir=examples/correlate
tr-correlate --incidents-only --link default,related_ip --never-link $dir/never-link.txt \
    $dir/alerts.jsonl \
  | jq -c '{title, priority, tags, alerts: .alert_count, linked_by: [.links[] | .value]}'
