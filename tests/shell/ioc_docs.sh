#!/usr/bin/env bash
# Every long flag of tr-ioc-check (and of its subcommands) is in the man page and in the
# bash, zsh and fish completions; so is every subcommand.
source "$(dirname "$0")/lib.sh"
cd "$TR_SOURCE_DIR"
flags=$( { tr-ioc-check --help; for s in collect import retro; do tr-ioc-check $s --help; done; } \
  | grep -o -- '--[a-z][a-z-]*' | sort -u)
[[ -n $flags ]] || fail "no flags found in --help"
for f in $flags; do
  grep -q -- "\*$f\*" man/tr-ioc-check.1.scd || fail "man page lacks $f"
  grep -q -- "$f\b" completions/bash/tr-ioc-check || fail "bash completion lacks $f"
  grep -q -- "$f\b" completions/zsh/_tr-ioc-check || fail "zsh completion lacks $f"
  grep -qE -- "-l ${f#--}( |$)" completions/fish/tr-ioc-check.fish || fail "fish completion lacks $f"
done
for s in collect import retro; do
  grep -q "^\*$s\*" man/tr-ioc-check.1.scd || fail "man page lacks subcommand $s"
  for c in completions/bash/tr-ioc-check completions/zsh/_tr-ioc-check completions/fish/tr-ioc-check.fish; do
    grep -q "$s" "$c" || fail "$c lacks subcommand $s"
  done
done
if command -v scdoc >/dev/null; then scdoc <man/tr-ioc-check.1.scd >/dev/null || fail "scdoc failed"; fi
echo ok
