#!/usr/bin/env bash
# mariadb-up.sh — install (if missing) and start (if not running) a private
# MariaDB server for dj, without systemd or Docker. Idempotent. Prints
#   export DJ_HOST=127.0.0.1:PORT DJ_USER=... DJ_PASS=...
# on stdout; progress goes to stderr.
#
#   DJ_DB_DIR    data, socket, logs and the chosen port (default /tmp/dj-mariadb)
#   DJ_DB_PORT   TCP port (default: the port this server used before, else
#                the first free port from 3307; a MySQL server already running
#                on the machine is never touched)
#   DJ_USER      account created with all privileges (default root)
#   DJ_PASS      its password (default simple)
#   DJ_DB_FLUSH  innodb_flush_log_at_trx_commit (default 2; 1 is fully durable)
#   DJ_DB_WAIT   seconds to wait for the server (default 60)
#   DJ_DB_ARGS   extra mariadbd arguments, split on spaces (for example
#                "--server-id=2 --log-bin=binlog"); remembered in $DJ_DB_DIR/args,
#                so a later start of the same datadir (mariadb-restart.sh) uses
#                them again; DJ_DB_ARGS=none clears them
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DIR="${DJ_DB_DIR:-/tmp/dj-mariadb}"
USER_="${DJ_USER:-root}"
PASS_="${DJ_PASS:-simple}"
FLUSH="${DJ_DB_FLUSH:-2}"
WAIT="${DJ_DB_WAIT:-60}"
SOCK="$DIR/mysqld.sock"
PIDF="$DIR/mysqld.pid"
mkdir -p "$DIR"
# One run at a time per datadir (parallel test processes, CI steps).
exec 9>"$DIR/lock"
flock -w 300 9 || { log "another mariadb-up.sh holds $DIR/lock"; exit 1; }

XARGS=""
if [ "${DJ_DB_ARGS:-}" = none ]; then
  rm -f "$DIR/args"
elif [ -n "${DJ_DB_ARGS:-}" ]; then
  XARGS="$DJ_DB_ARGS"
  printf '%s\n' "$XARGS" >"$DIR/args"
elif [ -f "$DIR/args" ]; then
  XARGS="$(cat "$DIR/args")"
fi

if [ -n "${DJ_DB_PORT:-}" ]; then
  PORT="$DJ_DB_PORT"
elif [ -f "$DIR/port" ]; then
  PORT="$(cat "$DIR/port")"
else
  PORT=""
fi

# 1. The server binaries (Debian/Ubuntu packages; needs root).
MARIADBD="$(command -v mariadbd || true)"
[ -z "$MARIADBD" ] && [ -x /usr/sbin/mariadbd ] && MARIADBD=/usr/sbin/mariadbd
if [ -z "$MARIADBD" ] || ! command -v mariadb >/dev/null || ! command -v mariadb-install-db >/dev/null; then
  log "installing mariadb-server and mariadb-client with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends mariadb-server mariadb-client >/dev/null 2>&1; then
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends mariadb-server mariadb-client >/dev/null
  fi
  MARIADBD=/usr/sbin/mariadbd
fi

tcp_ok() {
  mariadb --protocol=TCP -h127.0.0.1 -P"$PORT" -u"$USER_" -p"$PASS_" \
    --connect-timeout=2 -N -e 'SELECT 1' >/dev/null 2>&1
}
sock_ok() { mariadb --protocol=SOCKET -S "$SOCK" -uroot --connect-timeout=2 -N -e 'SELECT 1' >/dev/null 2>&1; }
running() { [ -f "$PIDF" ] && kill -0 "$(cat "$PIDF")" 2>/dev/null; }
print_env() { echo "export DJ_HOST=127.0.0.1:$PORT DJ_USER=$USER_ DJ_PASS=$PASS_"; }

ensure_user() {
  # mariadb-install-db also creates password-less root@127.0.0.1, root@::1 and
  # root@<hostname>; over TCP those would win over '$USER_'@'%', so drop them.
  mariadb --protocol=SOCKET -S "$SOCK" -uroot -N -e \
    "SELECT CONCAT('DROP USER ', QUOTE(User), '@', QUOTE(Host), ';') FROM mysql.user
     WHERE User IN ('$USER_', '') AND Host NOT IN ('localhost', '%')" |
    mariadb --protocol=SOCKET -S "$SOCK" -uroot
  mariadb --protocol=SOCKET -S "$SOCK" -uroot <<SQL
CREATE USER IF NOT EXISTS '$USER_'@'%' IDENTIFIED BY '$PASS_';
ALTER USER '$USER_'@'%' IDENTIFIED BY '$PASS_';
GRANT ALL PRIVILEGES ON *.* TO '$USER_'@'%' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
}

# 2. Already running here? Reuse it (and converge the account). A server
#    that is still starting gets the usual time to answer.
if running && ! sock_ok; then
  log "mariadbd $(cat "$PIDF") in $DIR is running; waiting for it to answer"
  wait_for "$WAIT" sock_ok || { log "it does not answer on $SOCK; stop it with mariadb-down.sh"; exit 1; }
fi
if running && sock_ok; then
  if [ -n "${DJ_DB_PORT:-}" ] && [ "$DJ_DB_PORT" != "$(cat "$DIR/port")" ]; then
    log "the server in $DIR runs on port $(cat "$DIR/port"), not DJ_DB_PORT=$DJ_DB_PORT; stop it with mariadb-down.sh or use another DJ_DB_DIR"
    exit 1
  fi
  PORT="$(cat "$DIR/port")"
  tcp_ok || ensure_user
  tcp_ok || { log "the server in $DIR rejects $USER_ over TCP"; exit 1; }
  log "already running on 127.0.0.1:$PORT (datadir $DIR/data)"
  print_env
  exit 0
fi

# 3. Choose the port (under the machine-wide port lock): the one asked for or used before if it is free,
#    otherwise the first free one from 3307.
lock_ports
if [ -n "$PORT" ] && port_in_use "$PORT"; then
  if [ -n "${DJ_DB_PORT:-}" ]; then
    log "port $PORT is taken by another server; choose another DJ_DB_PORT"
    exit 1
  fi
  PORT=""
fi
[ -n "$PORT" ] || PORT="$(free_port 3307 3999)" || { log "no free port in 3307-3999"; exit 1; }

# 4. A private datadir, initialised once.
if [ ! -d "$DIR/data/mysql" ]; then
  log "initialising $DIR/data"
  rm -rf "$DIR/data"
  mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$DIR/data" \
    --auth-root-authentication-method=normal --skip-test-db \
    --skip-name-resolve >"$DIR/install-db.log" 2>&1 ||
    { cat "$DIR/install-db.log" >&2; exit 1; }
fi

# 5. Start detached: own session, no inherited descriptors.
setsid "$MARIADBD" --no-defaults --user="$(id -un)" \
  --datadir="$DIR/data" --socket="$SOCK" --pid-file="$PIDF" --log-error="$DIR/error.log" \
  --port="$PORT" --bind-address=127.0.0.1 --skip-name-resolve \
  --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
  --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit="$FLUSH" \
  --max-connections=500 --max-allowed-packet=1G \
  $XARGS \
  </dev/null >>"$DIR/stdout.log" 2>&1 9>&- 7>&- &
SPID=$!
echo "$PORT" >"$DIR/port"
log "starting mariadbd (pid $SPID) on 127.0.0.1:$PORT"

if ! wait_for_pid "$SPID" "$WAIT" sock_ok; then
  if kill -0 "$SPID" 2>/dev/null; then log "not ready after ${WAIT}s:"; else log "mariadbd exited:"; fi
  tail -20 "$DIR/error.log" >&2
  exit 1
fi
unlock_ports
ensure_user
tcp_ok || { log "TCP login as $USER_ failed"; exit 1; }
log "ready (datadir $DIR/data)"
print_env
