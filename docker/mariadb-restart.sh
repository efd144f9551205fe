#!/usr/bin/env bash
# mariadb-restart.sh — stop and start the server of mariadb-up.sh again on
# the same port and datadir (same DJ_DB_DIR), after DJ_DB_DOWNTIME seconds
# (default 0) with no server. Prints the export line.
set -euo pipefail
cd "$(dirname "$0")"
bash mariadb-down.sh
sleep "${DJ_DB_DOWNTIME:-0}"
exec bash mariadb-up.sh
