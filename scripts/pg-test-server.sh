#!/usr/bin/env bash
# A private PostgreSQL server for tests and benchmarks: initdb + pg_ctl in a temporary
# directory, listening on 127.0.0.1 only, on a free port. No system service is touched.
#
#   scripts/pg-test-server.sh start    starts it (prints the URL)
#   scripts/pg-test-server.sh url      prints postgresql://tr@127.0.0.1:PORT/tr
#   scripts/pg-test-server.sh stop     stops it and removes the directory
#   scripts/pg-test-server.sh status   exit 0 when it is running
#
# TR_PG_DIR (default ${TMPDIR:-/tmp}/tr-pg-$(id -u)) holds the data, socket, log and port.
# TR_PG_DURABLE=1 keeps fsync on (benchmarks); by default fsync and synchronous_commit are off,
# which is safe for a throw-away test server and several times faster.
# As root the server runs as the unprivileged user `nobody` (postgres refuses to run as root);
# otherwise as the current user. Authentication is `trust` on the loopback address only.
# PG_BIN overrides /usr/lib/postgresql/15/bin.
set -euo pipefail
dir=${TR_PG_DIR:-${TMPDIR:-/tmp}/tr-pg-$(id -u)}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}

as_owner() {
  if [[ $(id -u) == 0 ]]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

url() { echo "postgresql://tr@127.0.0.1:$(cat "$dir/port")/tr"; }

running() { [[ -f $dir/port ]] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  if running; then url; return 0; fi
  [[ -x $bin/initdb ]] || { echo "pg-test-server: no PostgreSQL server binaries in $bin" >&2; exit 2; }
  rm -rf "$dir"
  mkdir -p "$dir"
  chmod 755 "$dir"
  if [[ $(id -u) == 0 ]]; then
    chown nobody "$dir"
    # nobody must reach the directory through every parent.
    local p=$dir
    while [[ $p != / ]]; do p=$(dirname "$p"); chmod o+x "$p" 2>/dev/null || true; done
  fi
  as_owner "$bin/initdb" -D "$dir/data" -U tr --auth=trust -E UTF8 --locale=C --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 4; }
  local port
  port=$(free_port)
  local durable=off
  [[ ${TR_PG_DURABLE:-0} == 1 ]] && durable=on
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 60
shared_buffers = 64MB
fsync = $durable
synchronous_commit = $durable
full_page_writes = $durable
log_min_messages = warning
EOF
  echo "$port" >"$dir/port"
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 4; }
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U tr tr
  url
}

stop() {
  if [[ -d $dir/data ]]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  url) running || { echo "pg-test-server: not running (start it first)" >&2; exit 4; }; url ;;
  status) running ;;
  *) echo "usage: $0 start|stop|url|status" >&2; exit 2 ;;
esac
