#!/usr/bin/env bash
# mariadb-replica.sh — a primary MariaDB with a binary log and replicas of
# it: private servers of mariadb-up.sh on loopback, each replica following
# the primary by GTID. Idempotent: running servers are reused and stopped
# replication restarted. Prints
#   export DJ_HOST=127.0.0.1:PRIMARY DJ_USER=... DJ_PASS=... DJ_REPLICAS=127.0.0.1:R1[,...]
#          DJ_PRIMARY_DIR=... DJ_REPLICA_DB_DIRS=DIR1[,...]
# on stdout (the directories are the DJ_DB_DIR of each server, for
# mariadb-down.sh and mariadb-restart.sh); progress goes to stderr.
#
#   mariadb-replica.sh        start (or reuse) the servers
#   mariadb-replica.sh down   stop them all
#
#   DJ_REPLICA_DIR    base directory: primary/, replica/, replica2/, ... beneath it
#                     (default /tmp/dj-replica)
#   DJ_REPLICA_COUNT  number of replicas (default 1)
#   DJ_USER, DJ_PASS            the account of both servers (default root / simple)
#   DJ_REPL_USER, DJ_REPL_PASS  the replication account on the primary
#                               (default djrepl / djrepl)
#   DJ_DB_WAIT                  seconds to wait for replication to run (default 60)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/lib.sh"

BASE="${DJ_REPLICA_DIR:-/tmp/dj-replica}"
USER_="${DJ_USER:-root}"
PASS_="${DJ_PASS:-simple}"
RUSER="${DJ_REPL_USER:-djrepl}"
RPASS="${DJ_REPL_PASS:-djrepl}"
WAIT="${DJ_DB_WAIT:-60}"
COUNT="${DJ_REPLICA_COUNT:-1}"
PDIR="$BASE/primary"
# rdir N: the directory of replica N (1, 2, ...).
rdir() { if [ "$1" = 1 ]; then echo "$BASE/replica"; else echo "$BASE/replica$1"; fi; }
mkdir -p "$BASE"
# One run at a time per pair. The servers must not inherit the lock (8>&-).
exec 8>"$BASE/lock"
flock -w 300 8 || { log "another mariadb-replica.sh holds $BASE/lock"; exit 1; }

if [ "${1:-}" = down ]; then
  for d in "$BASE"/replica*; do
    [ -d "$d" ] && DJ_DB_DIR="$d" bash "$HERE/mariadb-down.sh" 8>&-
  done
  DJ_DB_DIR="$PDIR" bash "$HERE/mariadb-down.sh" 8>&-
  exit 0
fi

# up DIR ARGS: start (or reuse) the server of DIR with extra arguments and
# print its port.
up() {
  DJ_DB_DIR="$1" DJ_DB_PORT='' DJ_DB_ARGS="$2" DJ_USER="$USER_" DJ_PASS="$PASS_" \
    bash "$HERE/mariadb-up.sh" 8>&- >/dev/null || return 1
  cat "$1/port"
}
PPORT="$(up "$PDIR" "--server-id=1 --log-bin=binlog --binlog-format=ROW")"
sqlp() { mariadb --protocol=SOCKET -S "$PDIR/mysqld.sock" -uroot -N "$@"; }
sqlp <<SQL
CREATE USER IF NOT EXISTS '$RUSER'@'%' IDENTIFIED BY '$RPASS';
GRANT REPLICATION SLAVE ON *.* TO '$RUSER'@'%';
SQL

REPLICAS=""
DIRS=""
for ((i = 1; i <= COUNT; i++)); do
  RDIR="$(rdir "$i")"
  RPORT="$(up "$RDIR" "--server-id=$((i + 1)) --read-only=1 --relay-log=relay")"
  sqlr() { mariadb --protocol=SOCKET -S "$RDIR/mysqld.sock" -uroot -N "$@"; }
  # status FIELD: one field of the replica's SHOW SLAVE STATUS.
  status() { mariadb --protocol=SOCKET -S "$RDIR/mysqld.sock" -uroot -e 'SHOW SLAVE STATUS\G' |
    sed -n "s/^ *$1: //p"; }
  if [ -z "$(sqlr -e 'SHOW SLAVE STATUS')" ]; then
    # A new replica starts from the primary's current position, so neither
    # server's own set-up (accounts) is replayed on the other. (A replica
    # added to a primary that holds data starts without that data.)
    log "configuring replication 127.0.0.1:$PPORT -> 127.0.0.1:$RPORT"
    POS="$(sqlp -e 'SELECT @@gtid_binlog_pos')"
    sqlr <<SQL
SET GLOBAL gtid_slave_pos = '$POS';
CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$PPORT,
  MASTER_USER='$RUSER', MASTER_PASSWORD='$RPASS',
  MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
START SLAVE;
SQL
  elif [ "$(status Master_Port)" != "$PPORT" ]; then
    log "the primary moved to port $PPORT: pointing 127.0.0.1:$RPORT at it"
    sqlr -e "STOP SLAVE; CHANGE MASTER TO MASTER_PORT=$PPORT; START SLAVE"
  else
    sqlr -e 'START SLAVE' 2>/dev/null || true
  fi
  running() { [ "$(status Slave_IO_Running)" = Yes ] && [ "$(status Slave_SQL_Running)" = Yes ]; }
  if ! wait_for "$WAIT" running; then
    log "replication to 127.0.0.1:$RPORT does not run: IO $(status Slave_IO_Running), SQL $(status Slave_SQL_Running)"
    status Last_IO_Error >&2
    status Last_SQL_Error >&2
    exit 1
  fi
  log "replica 127.0.0.1:$RPORT follows primary 127.0.0.1:$PPORT"
  REPLICAS="$REPLICAS${REPLICAS:+,}127.0.0.1:$RPORT"
  DIRS="$DIRS${DIRS:+,}$RDIR"
done
echo "export DJ_HOST=127.0.0.1:$PPORT DJ_USER=$USER_ DJ_PASS=$PASS_ DJ_REPLICAS=$REPLICAS DJ_PRIMARY_DIR=$PDIR DJ_REPLICA_DB_DIRS=$DIRS"
