# Shared set-up for shell tests (tests/shell/*.sh): a pinned environment and a temp dir that
# is removed on exit, the built tools first on PATH, and helpers to start test servers.
set -euo pipefail
: "${TR_BIN:?TR_BIN must point at the built binaries}"
: "${TR_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
T=$(mktemp -d)
_tr_pids=()
cleanup() {
  for p in "${_tr_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT
export LC_ALL=C TZ=UTC HOME="$T/home" XDG_DATA_HOME="$T/data" XDG_CONFIG_HOME="$T/config"
export PATH="$TR_BIN:$PATH" TR_ACTOR=tester
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
SAMPLES=${TR_SAMPLES:-$TR_SOURCE_DIR/../shared/samples}

# start_server SCRIPT [ARGS...]: starts a test server, sets SERVER_URL and SERVER_LOG.
start_server() {
  local script=$1; shift
  SERVER_LOG="$T/server-$RANDOM.log"
  : >"$SERVER_LOG"
  coproc SRV { exec python3 "$script" --log "$SERVER_LOG" "$@"; }
  _tr_pids+=("$SRV_PID")
  local line
  read -r line <&"${SRV[0]}"
  SERVER_URL="http://127.0.0.1:${line#PORT }"
}

fail() { echo "FAIL: $*" >&2; exit 1; }
assert_eq() { [[ "$1" == "$2" ]] || fail "${3:-values differ}: got '$1', want '$2'"; }

# pg_store: for tests/shell/pg_*.sh. Skips the test (status 0) unless TR_TEST_STORE names a
# PostgreSQL server (make test-pg); otherwise sets PG_STORE to a fresh schema's URL there.
pg_store() {
  [[ ${TR_TEST_STORE:-} == postgres*://* ]] || { echo "SKIP: TR_TEST_STORE is not a postgresql:// URL"; exit 0; }
  local schema="sh_$$_$RANDOM"
  psql -qX "$TR_TEST_STORE" -c "CREATE SCHEMA $schema" >/dev/null
  _tr_pg_schemas+=("$schema")
  local sep='?'; [[ $TR_TEST_STORE == *\?* ]] && sep='&'
  PG_STORE="$TR_TEST_STORE${sep}options=-csearch_path%3D$schema"
}
_tr_pg_schemas=()
_tr_pg_cleanup() {
  for s in "${_tr_pg_schemas[@]}"; do
    psql -qX "$TR_TEST_STORE" -c "DROP SCHEMA $s CASCADE" >/dev/null 2>&1 || true
  done
  cleanup
}
trap _tr_pg_cleanup EXIT
