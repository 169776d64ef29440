#!/usr/bin/env bash
# The main tr pipeline on the project's own example data, into a fresh embedded store:
#
#   tr-ingest eve.json | tr-enrich (users, assets) | tr-correlate | tr-incident import
#   tr-incident list
#
# Run it with `make demo` (which builds first), or with the tools on PATH: bash examples/demo.sh
# Set TR_STORE to keep the store somewhere; by default a temporary one is used and removed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=$here/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TR_STORE=${TR_STORE:-$tmp/cases.db}

echo "== ingest, enrich, correlate, import: $(wc -l <"$data/eve.json") Suricata EVE events" >&2
tr-ingest "$data/eve.json" \
  | tr-enrich --users "$data/users.csv" --assets "$data/assets.csv" \
  | tr-correlate --window 24h \
  | tr-incident import

echo "== incidents opened" >&2
tr-incident list
