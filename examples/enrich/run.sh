#!/usr/bin/env bash
# Enrich three alerts with the user directory, the asset inventory and a local blocklist,
# then show who was hit, the score and why: the CFO's phish and the C2 beacon from a finance
# server come first, the guest Wi-Fi scan last.
set -euo pipefail
dir=examples/enrich
tr-enrich --users $dir/users.csv --assets $dir/assets.csv --blocklist $dir/blocklist.txt \
    $dir/alerts.jsonl \
  | jq -c '{id, message, priority: .tr.priority, score: .tr.score,
            users: [.tr.enrichment.users[].name], assets: [.tr.enrichment.assets[].host],
            why: [.tr.enrichment.reasons[] | "\(.points) \(.reason)"]}'
