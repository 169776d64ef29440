#!/usr/bin/env bash
# A day of case work with tr-incident, and what the cron jobs in ./crontab do.
# Run from the repository root with the tools on PATH (the suite pins TR_NOW).
set -euo pipefail
here=examples/incident
export TR_STORE=${TMPDIR:-/tmp}/incident-example.db TR_ACTOR=cron
rm -f "$TR_STORE" "$TR_STORE"-wal "$TR_STORE"-shm

# The import job: tr-correlate's output (alerts, then their incident), a verdict, a block.
tr-incident import "$here/records.jsonl"
tr-incident list --status open

# An analyst picks up the P1.
export TR_NOW=2026-12-03T12:40:00Z
tr-incident update i-00000000000000aa --status contained --assignee alice --actor alice
tr-incident note i-00000000000000aa "wks-042 isolated, C2 blocked on edge-pan" --actor alice
tr-incident show i-00000000000000aa | sed -n '/^notes/,$p'

# The hourly stale check, a day later: the phish nobody looked at (status 1 = found some).
echo "# stale check"
TR_NOW=2026-12-04T12:30:00Z tr-incident stale --older 24h --format csv || echo "(status $?: stale incidents found)"

# The morning report: who is targeted, KPIs, and the HTML page.
echo "# report"
tr-incident report --by department
TR_NOW=2026-12-04T07:00:00Z tr-incident kpi --since 30d --format csv | grep -E '^(incidents|time_to_contain|backlog)'
tr-incident report --html "${TMPDIR:-/tmp}/daily.html" --since 7d
echo "daily.html: $(grep -o '<svg' "${TMPDIR:-/tmp}/daily.html" | wc -l) charts and graphs"

# The audit trail is intact.
tr-incident audit verify && echo "audit trail intact: $(tr-incident audit export | wc -l) entries"
