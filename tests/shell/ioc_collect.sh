#!/usr/bin/env bash
# tr-ioc-check collect on this machine: a process holding a known socket and a file with a
# known hash are collected and checked against IOCs naming them; the verdict must be
# "infected" with exactly those two matches.
source "$(dirname "$0")/lib.sh"
${TR_DEBUG:+set -x}
command -v jq >/dev/null || { echo "SKIP: jq missing"; exit 0; }

mkdir -p "$T/drop"
head -c 4096 /dev/urandom >"$T/drop/payload.bin"
want_sha=$(sha256sum "$T/drop/payload.bin" | cut -d' ' -f1)

# A UDP socket connected to a TEST-NET "C2" address: connect() on UDP sends nothing, but the
# kernel lists the peer in /proc/net/udp.
python3 -c '
import os, socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("203.0.113.77", 4444))
print(os.getpid(), flush=True)
time.sleep(60)
' >"$T/pid" &
_tr_pids+=("$!")
for _ in $(seq 100); do [[ -s $T/pid ]] && break; sleep 0.1; done
[[ -s $T/pid ]] || fail "socket holder did not start"
holder=$(cat "$T/pid")
_tr_pids+=("$holder")  # python may run under a launcher (pyenv shim) with another pid

printf 'type,value\nip,203.0.113.77\nsha256,%s\n' "$want_sha" >"$T/iocs.csv"

tr-ioc-check collect --host test-endpoint --since 1h --path "$T/drop" \
  --only process --only connection --only file >"$T/snap.jsonl"
# (jq 1.6: -e with select() reports the last input, so slurp.)
jq -se --argjson pid "$holder" \
  'map(select(.type == "process" and .pid == $pid and .path != null and .sha256 != null)) | length == 1' \
  "$T/snap.jsonl" >/dev/null || fail "the socket holder's process was not collected with its hash"

rc=0
tr-ioc-check --no-history --iocs "$T/iocs.csv" "$T/snap.jsonl" >"$T/verdict.jsonl" || rc=$?
assert_eq "$rc" 1 "exit status for an infected host"
assert_eq "$(jq -r .host "$T/verdict.jsonl")" test-endpoint "host"
assert_eq "$(jq -r .verdict "$T/verdict.jsonl")" infected "verdict"
got=$(jq -c '[.matches[] | [.indicator.type, .indicator.value, .field, .artifact.type,
              (.artifact.pid // .artifact.path)]] | sort' "$T/verdict.jsonl")
want=$(jq -nc --arg sha "$want_sha" --arg path "$T/drop/payload.bin" --argjson pid "$holder" \
  '[["ip","203.0.113.77","remote_address","connection",$pid],
    ["sha256",$sha,"sha256","file",$path]] | sort')
assert_eq "$got" "$want" "matches"
jq -e '.checked.process > 1 and .checked.connection >= 1 and .checked.file == 1' \
  "$T/verdict.jsonl" >/dev/null || fail "checked counts: $(jq -c .checked "$T/verdict.jsonl")"

# The same snapshot through ssh-style piping, with IOCs that name nothing: clean, status 0.
printf '203.0.113.78\n' >"$T/other.txt"
tr-ioc-check collect --host test-endpoint --only connection --only file --path "$T/drop" \
  | tr-ioc-check --no-history --iocs "$T/other.txt" >"$T/clean.jsonl"
assert_eq "$(jq -r .verdict "$T/clean.jsonl")" clean "verdict against unrelated IOCs"
echo "ok"
