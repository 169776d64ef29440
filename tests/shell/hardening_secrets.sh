#!/usr/bin/env bash
# Issue 9: API keys and passwords never appear in any output, error, trace (-vv), file or store
# of a run, good or failing (401/403, 5xx, connection refused), for every tool that holds
# credentials: tr-ingest (TAP, Splunk), tr-enrich (VirusTotal, AbuseIPDB), tr-block (every
# device API). The checks are in hardening_secrets.py.
source "$(dirname "$0")/lib.sh"
export T
python3 "$TR_SOURCE_DIR/tests/shell/hardening_secrets.py"
