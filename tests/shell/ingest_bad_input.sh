#!/usr/bin/env bash
# tr-ingest on hostile input: a 50 MB line, binary garbage, a truncated JSON line and a CEF
# line with a broken escape between good lines. Every good line comes out, each bad one is
# reported with its position, the status is 3, and memory stays bounded (the long line is
# skipped without being buffered).
source "$(dirname "$0")/lib.sh"
export TR_NOW=2026-12-03T12:00:00Z
good='{"timestamp":"2026-12-03T11:58:02Z","event_type":"alert","src_ip":"10.1.2.3","dest_ip":"203.0.113.7","alert":{"signature_id":1,"signature":"good","severity":1}}'
python3 - "$T/bad.log" "$good" <<'PY'
import sys
path, good = sys.argv[1], sys.argv[2]
with open(path, "wb") as f:
    f.write(good.encode() + b"\n")
    f.write(b'{"event_type":"alert","x":"' + b"A" * (50 << 20) + b'"}\n')       # 50 MB line
    f.write(bytes(b for b in range(256) if b != 10) * 4 + b"\n")                 # binary garbage
    f.write(b'{"timestamp":"2026-12-03T11:58:02Z","event_type":"alert","src_ip":"10.1\n')  # truncated
    f.write(b"CEF:0|Acme|IDS|1.0|100|broken|5|src=10.0.0.1 msg=dangling\\\n")      # broken escape
    f.write(good.replace("good", "good again").encode() + b"\n")
PY
read -r rc rss < <(python3 - "$T/bad.log" "$T/out" "$T/err" <<'PY'
import resource, subprocess, sys
with open(sys.argv[2], "wb") as o, open(sys.argv[3], "wb") as e:
    rc = subprocess.call(["tr-ingest", "--max-line", str(1 << 20), sys.argv[1]], stdout=o, stderr=e)
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
PY
)
assert_eq "$rc" 3 "exit status"
assert_eq "$(wc -l <"$T/out")" 2 "alerts written"
assert_eq "$(jq -r .rule.name "$T/out" | paste -sd,)" "good,good again" "good lines survive"
grep -q "bad.log:2: line is longer than 1048576 bytes" "$T/err" || fail "long line not reported: $(cat "$T/err")"
grep -q "bad.log:3: unrecognised format" "$T/err" || fail "garbage not reported"
grep -q "bad.log:4: not valid JSON" "$T/err" || fail "truncated line not reported"
grep -q "bad.log:5: CEF extension ends in a broken escape" "$T/err" || fail "broken escape not reported"
grep -q "4 of 6 lines rejected" "$T/err" || fail "no summary: $(cat "$T/err")"
((rss < 32)) || fail "peak memory ${rss} MB on a 50 MB line (want < 32 MB)"
# The terminal is safe: the garbage's control bytes never reach stderr raw.
! grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$T/err" || fail "control characters on stderr"
echo "ingest_bad_input: ok (peak ${rss} MB)"
