#!/usr/bin/env bash
# minio-down.sh — stop the MinIO started by minio-up.sh (same DJ_S3_DIR).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DIR="${DJ_S3_DIR:-/tmp/dj-minio}"
[ -f "$DIR/minio.pid" ] || exit 0
PID="$(cat "$DIR/minio.pid")"
kill "$PID" 2>/dev/null || exit 0
for _ in $(seq 1 100); do
  kill -0 "$PID" 2>/dev/null || { log "stopped"; exit 0; }
  sleep 0.1
done
kill -9 "$PID" 2>/dev/null
log "killed"
exit 0
