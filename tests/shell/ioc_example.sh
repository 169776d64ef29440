#!/usr/bin/env bash
# examples/ioc-check/run.sh must print exactly examples/ioc-check/expected.
source "$(dirname "$0")/lib.sh"
cd "$TR_SOURCE_DIR"
TR_NOW=2026-12-03T12:00:00Z bash examples/ioc-check/run.sh >"$T/out"
diff -u examples/ioc-check/expected "$T/out" || fail "example output differs"
echo ok
