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
