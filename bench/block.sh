#!/usr/bin/env bash
# Benchmark: tr-block on a large block store. Peers, in the same run, are what an operator would
# script by hand: jq to pull attacker IPs out of incidents, and the sqlite3 shell to dump or
# update the blocks table.
#   1. apply: N incident records (one attacker IP each) through a policy onto a CLI device
#      (validation, guard rails, store insert and audit per entry) vs jq extracting the IPs.
#   2. render/publish an EDL of N live entries vs sqlite3 selecting the values into a file.
#   3. expire N entries at once (one transaction, one file rewrite) vs sqlite3 UPDATE + dump.
#   bench/block.sh [N]   (TR_BIN: built tools, default build/bin)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
bin=${TR_BIN:-$root/build/bin}
n=${1:-${BENCH_N:-20000}}
dir=$(mktemp -d /tmp/tr-bench-block.XXXXXX)
trap 'rm -rf "$dir"' EXIT
export HOME=$dir XDG_DATA_HOME=$dir/data XDG_CONFIG_HOME=$dir/config TR_ACTOR=bench
export TR_STORE=$dir/cases.db TR_CONFIG=$dir/config.yaml TR_NOW=2026-12-03T12:00:00Z
cat >"$TR_CONFIG" <<CONF
devices:
  asa: {type: asa}
  edl: {type: edl, path: $dir/edl.txt, list: ip}
limits: {max_per_run: 0, max_per_hour: 0}
CONF
cat >"$dir/policy.yaml" <<'POL'
rules:
  - name: all
    block: {devices: [asa], ttl: 1h}
POL
python3 - "$dir/incidents.jsonl" "$n" <<'PY'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(n):
        ip = f"{11 + i // 65536 % 200}.{i // 256 % 256}.{i % 256}.7"
        f.write(json.dumps({"kind": "incident", "id": f"i-{i:016x}", "title": "bench", "severity": 80,
                            "classification": ["c2"], "observables": [
                                {"type": "ip", "value": ip, "role": "attacker"},
                                {"type": "ip", "value": "10.0.0.1", "role": "victim"}]}) + "\n")
PY
"$bin/tr-block" list >/dev/null
printf '%-28s %10s %12s %9s %10s %8s\n' step "tr-block s" "per second" "peer s" "ratio" "peak MB"

measure tb "$bin/tr-block" apply --policy "$dir/policy.yaml" "$dir/incidents.jsonl" -o /dev/null
measure peer bash -c "jq -r '.observables[] | select(.role == \"attacker\") | .value' '$dir/incidents.jsonl' >/dev/null"
printf '%-28s %10s %12s %9s %10s %8s\n' "apply ($n incidents)" "$tb_secs" "$(per_sec "$n" "$tb_secs")" "$peer_secs" "$(ratio "$tb_secs" "$peer_secs")x" "$((tb_kb / 1024))"

# The same entries on the EDL device, straight into the table (the apply path is measured above).
sqlite3 "$TR_STORE" "INSERT INTO blocks(id, type, value, device, reason, state, created, updated, expires, ttl, actor)
  SELECT 'b-e' || substr(id, 3), type, value, 'edl', reason, 'applied', created, updated, expires, ttl, actor FROM blocks WHERE device = 'asa'"
measure tb "$bin/tr-block" publish --device edl
measure peer sqlite3 "$TR_STORE" ".output $dir/peer.txt" "SELECT value FROM blocks WHERE device = 'edl' AND state IN ('applied','renewed') ORDER BY created, rowid"
printf '%-28s %10s %12s %9s %10s %8s\n' "publish EDL ($n entries)" "$tb_secs" "$(per_sec "$n" "$tb_secs")" "$peer_secs" "$(ratio "$tb_secs" "$peer_secs")x" "$((tb_kb / 1024))"

cp "$TR_STORE" "$dir/peer.db"
measure tb env TR_NOW=2026-12-03T14:00:00Z "$bin/tr-block" expire -o /dev/null
measure peer sqlite3 "$dir/peer.db" "UPDATE blocks SET state = 'expired' WHERE expires <= 1796306400000 AND state IN ('applied','renewed','planned')" ".output $dir/peer2.txt" "SELECT value FROM blocks WHERE device = 'edl' AND state IN ('applied','renewed')"
printf '%-28s %10s %12s %9s %10s %8s\n' "expire ($((2 * n)) entries)" "$tb_secs" "$(per_sec "$((2 * n))" "$tb_secs")" "$peer_secs" "$(ratio "$tb_secs" "$peer_secs")x" "$((tb_kb / 1024))"
echo "(peers do no validation, guard rails, audit trail or device output; the ratio is the price of those)"
