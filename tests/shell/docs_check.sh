#!/usr/bin/env bash
# Every tool has a man page, three completion files and an example, and every long flag its
# --help shows (also of each subcommand) is documented in the man page and in each completion.
source "$(dirname "$0")/lib.sh"
src=$TR_SOURCE_DIR
status=0
complain() { echo "docs_check: $*" >&2; status=1; }

flags_of() {  # prints the long flags of `$@ --help`
  "$@" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}
subcommands_of() {
  "$@" --help 2>/dev/null | awk '/^Subcommands:/{s=1;next} s&&/^  [a-z]/{print $1} s&&/^$/{s=0}'
}

tools=()
for t in "$TR_BIN"/tr-*; do
  [[ -x $t ]] && tools+=("$(basename "$t")")
done
((${#tools[@]})) || { echo "docs_check: no tools built" >&2; exit 1; }

for tool in "${tools[@]}"; do
  man=$src/man/$tool.1.scd
  files=("$man" "$src/completions/bash/$tool" "$src/completions/zsh/_$tool"
         "$src/completions/fish/$tool.fish")
  for f in "${files[@]}"; do [[ -s $f ]] || complain "$tool: missing ${f#"$src/"}"; done
  ls "$src"/examples/*/run.sh >/dev/null 2>&1 || complain "no examples"
  grep -lq -- "$tool" "$src"/examples/*/run.sh 2>/dev/null || complain "$tool: no example uses it"
  "$tool" --help >/dev/null || complain "$tool --help failed"
  "$tool" --version | grep -q "^$tool " || complain "$tool --version does not name the tool"
  all_flags=$(flags_of "$tool")
  for sub in $(subcommands_of "$tool"); do
    all_flags+=$'\n'$(flags_of "$tool" "$sub")
    for f in "${files[@]}"; do
      [[ -s $f ]] && ! grep -qw -- "$sub" "$f" && complain "$tool: subcommand $sub missing from ${f#"$src/"}"
    done
  done
  for flag in $(sort -u <<<"$all_flags"); do
    [[ $flag == --help || $flag == --version ]] && continue
    for f in "${files[@]}"; do
      [[ -s $f ]] || continue
      # Completion files may spell a flag without its dashes (fish: -l name).
      name=${flag#--}
      grep -qE -- "(--|-l |long[= ]?)?$name([^a-z0-9-]|$)" "$f" || complain "$tool: $flag missing from ${f#"$src/"}"
    done
  done
done
exit $status
