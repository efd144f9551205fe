#!/usr/bin/env bash
# mariadb-restart.sh — stop and start the server of mariadb-up.sh again on
# the same port and datadir (same DJ_DB_DIR). Prints the export line.
set -euo pipefail
cd "$(dirname "$0")"
bash mariadb-down.sh
exec bash mariadb-up.sh
