#!/usr/bin/env bash
# Issue 9: every value of the shared hostile corpus (tests/fixtures/hostile/values.jsonl)
# through tr-block's device renderers and request builders (every device type), tr-incident's
# SQL filters, HTML report and terminal output, and every tool's diagnostics on a terminal.
# The checks are in hardening_hostile.py; this sets up the pinned environment.
source "$(dirname "$0")/lib.sh"
export T
python3 "$TR_SOURCE_DIR/tests/shell/hardening_hostile.py"
