#!/usr/bin/env bash
# The main pipeline end to end, as issue 2 defines "done":
#  - examples/demo.sh prints the incidents it opened;
#  - tr-ingest | tr-enrich | tr-correlate | tr-incident import works on the Suricata samples;
#  - `tr-ingest x | head -1` exits 0 silently;
#  - broken lines in the middle of an input are reported with their line numbers, and the
#    other lines still come out (status 3).
source "$(dirname "$0")/lib.sh"
export TR_NOW=2026-12-03T12:00:00Z TR_STORE=$T/cases.db
data=$TR_SOURCE_DIR/examples/data

# 1. The demo.
out=$(bash "$TR_SOURCE_DIR/examples/demo.sh" 2>"$T/demo.err") || { cat "$T/demo.err"; fail "demo failed"; }
n_incidents=$(tr-incident list --format json | jq -s length)
[[ $n_incidents -ge 3 ]] || fail "demo store has $n_incidents incidents, expected at least 3"
grep -q "Emotet" <<<"$out" || fail "demo output does not show the Emotet incident: $out"
# The two workstations talking to one C2 are one incident, the scan and the download are others.
c2=$(tr-incident list --format json | jq -s '[.[] | select(.title | test("Emotet"))] | length')
assert_eq "$c2" 1 "Emotet alerts from two hosts should form one incident"

# 2. The Suricata samples through the whole pipeline into a store.
if [[ -d $SAMPLES/suricata ]]; then
  export TR_STORE=$T/samples.db
  for f in "$SAMPLES"/suricata/*; do
    tr-ingest "$f" | tr-enrich --users "$data/users.csv" --assets "$data/assets.csv" \
      | tr-correlate | tr-incident import || fail "pipeline failed on $f"
  done
  alerts=$(sqlite3 "$TR_STORE" 'SELECT count(*) FROM alerts')
  incidents=$(sqlite3 "$TR_STORE" 'SELECT count(*) FROM incidents')
  [[ $alerts -ge 4 ]] || fail "only $alerts alerts stored from the samples"
  [[ $incidents -ge 1 ]] || fail "no incidents from the samples"
  # Importing the same data again duplicates nothing.
  for f in "$SAMPLES"/suricata/*; do
    tr-ingest "$f" | tr-correlate | tr-incident import
  done
  assert_eq "$(sqlite3 "$TR_STORE" 'SELECT count(*) FROM alerts')" "$alerts" "alerts duplicated"
fi

# 3. A closed pipe ends quietly with status 0.
for i in $(seq 1 2000); do cat "$data/eve.json"; done >"$T/big.json"
set +e
tr-ingest "$T/big.json" 2>"$T/head.err" | head -1 >/dev/null
rc=${PIPESTATUS[0]}
set -e
assert_eq "$rc" 0 "tr-ingest into head -1"
[[ ! -s $T/head.err ]] || fail "tr-ingest printed on a closed pipe: $(cat "$T/head.err")"

# 4. Broken lines in the middle: reported with line numbers, the rest comes out, status 3.
{ sed -n 1,2p "$data/eve.json"; echo '{"timestamp":"2026-12-03T10:2'; sed -n 3,5p "$data/eve.json";
  printf '\xff\xfe garbage\n'; sed -n 6,9p "$data/eve.json"; } >"$T/broken.json"
set +e
tr-ingest "$T/broken.json" >"$T/broken.out" 2>"$T/broken.err"
rc=$?
set -e
assert_eq "$rc" 3 "status with rejected lines"
grep -q "broken.json:3: " "$T/broken.err" || fail "line 3 not reported: $(cat "$T/broken.err")"
grep -q "broken.json:7: " "$T/broken.err" || fail "line 7 not reported: $(cat "$T/broken.err")"
good=$(tr-ingest "$data/eve.json" | wc -l)
assert_eq "$(wc -l <"$T/broken.out")" "$good" "good lines around the broken ones"
echo "pipeline: ok"
