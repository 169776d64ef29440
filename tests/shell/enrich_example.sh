#!/usr/bin/env bash
# examples/enrich/run.sh must print exactly examples/enrich/expected (the man page copies it).
source "$(dirname "$0")/lib.sh"
cd "$TR_SOURCE_DIR"
got=$(TR_NOW=2026-12-03T12:00:00Z bash examples/enrich/run.sh)
want=$(cat examples/enrich/expected)
[[ "$got" == "$want" ]] || { diff <(echo "$want") <(echo "$got") >&2; fail "examples/enrich output changed"; }
echo ok
