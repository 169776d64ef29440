#!/usr/bin/env bash
# Every examples/<name>/run.sh runs, from the repository root with the built tools on PATH and a
# pinned clock, and prints exactly its `expected` file, so examples cannot go stale.
source "$(dirname "$0")/lib.sh"
export TR_NOW=2026-12-03T12:00:00Z
status=0
n=0
for run in "$TR_SOURCE_DIR"/examples/*/run.sh; do
  [[ -f $run ]] || continue
  dir=$(dirname "$run")
  name=$(basename "$dir")
  [[ -f $dir/expected ]] || { echo "examples: $name has no expected output" >&2; status=1; continue; }
  work=$T/$name; mkdir -p "$work/home"
  if ! out=$(cd "$TR_SOURCE_DIR" && HOME=$work/home XDG_DATA_HOME=$work/data XDG_CONFIG_HOME=$work/config \
            TMPDIR=$work bash "$run" 2>"$work/stderr"); then
    echo "examples: $name failed:" >&2; cat "$work/stderr" >&2; status=1; continue
  fi
  if ! diff -u "$dir/expected" <(printf '%s\n' "$out") >&2; then
    echo "examples: $name output differs from expected" >&2; status=1
  fi
  n=$((n+1))
done
echo "examples: $n checked"
exit $status
