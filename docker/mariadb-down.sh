#!/usr/bin/env bash
# mariadb-down.sh — stop the server started by mariadb-up.sh (same DJ_DB_DIR).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DIR="${DJ_DB_DIR:-/tmp/dj-mariadb}"
[ -f "$DIR/mysqld.pid" ] || exit 0
PID="$(cat "$DIR/mysqld.pid")"
kill -0 "$PID" 2>/dev/null || exit 0
mariadb-admin --protocol=SOCKET -S "$DIR/mysqld.sock" -uroot shutdown 2>/dev/null || kill "$PID" 2>/dev/null
for _ in $(seq 1 150); do
  kill -0 "$PID" 2>/dev/null || { log "stopped"; exit 0; }
  sleep 0.2
done
kill -9 "$PID" 2>/dev/null
log "killed"
exit 0
