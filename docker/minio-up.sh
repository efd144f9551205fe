#!/usr/bin/env bash
# minio-up.sh — build (if missing) and start (if not running) a single-node
# MinIO for dj's S3 tests, and create the bucket. Idempotent. Prints
#   export DJ_S3_ENDPOINT=... DJ_S3_ACCESS_KEY=... DJ_S3_SECRET_KEY=... DJ_S3_BUCKET=...
# on stdout; progress goes to stderr.
#
#   DJ_S3_DIR         data, logs and the chosen port (default /tmp/dj-minio)
#   DJ_S3_PORT        TCP port (default: the port used before, else the first
#                     free port from 9000)
#   DJ_S3_ACCESS_KEY  root user (default datajoint)
#   DJ_S3_SECRET_KEY  root password, 8 characters or more (default datajoint)
#   DJ_S3_BUCKET      bucket to create (default djtest)
#   MINIO_BIN         the minio binary (default: on PATH, else in $(go env GOPATH)/bin,
#                     else built there with go install at MINIO_VERSION)
#   MINIO_VERSION     default v0.0.0-20260212201848-7aac2a2c5b7c
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DIR="${DJ_S3_DIR:-/tmp/dj-minio}"
AK="${DJ_S3_ACCESS_KEY:-datajoint}"
SK="${DJ_S3_SECRET_KEY:-datajoint}"
BUCKET="${DJ_S3_BUCKET:-djtest}"
VER="${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
mkdir -p "$DIR/data"
# One run at a time per data directory.
exec 9>"$DIR/lock"
flock -w 900 9 || { log "another minio-up.sh holds $DIR/lock"; exit 1; }

if [ -n "${DJ_S3_PORT:-}" ]; then
  PORT="$DJ_S3_PORT"
elif [ -f "$DIR/port" ]; then
  PORT="$(cat "$DIR/port")"
else
  PORT=""
fi

s3() { # s3 METHOD PATH: prints the HTTP status of a SigV4-signed request
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X "$1" \
    --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" "http://127.0.0.1:$PORT$2" || echo 000
}
ready() { [ "$(s3 GET /)" = 200 ]; }
running() { [ -f "$DIR/minio.pid" ] && kill -0 "$(cat "$DIR/minio.pid")" 2>/dev/null; }
print_env() {
  echo "export DJ_S3_ENDPOINT=127.0.0.1:$PORT DJ_S3_ACCESS_KEY=$AK DJ_S3_SECRET_KEY=$SK DJ_S3_BUCKET=$BUCKET"
}
make_bucket() {
  local code
  code="$(s3 PUT "/$BUCKET")"
  case "$code" in
    200 | 409) ;;
    *) log "creating bucket $BUCKET: HTTP $code"; return 1 ;;
  esac
}

command -v curl >/dev/null || {
  log "installing curl with apt-get"
  apt-get install -y -q curl >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q curl >/dev/null; }
}

# 1. Ours, already running?
if running && [ -f "$DIR/port" ]; then
  if [ -n "${DJ_S3_PORT:-}" ] && [ "$DJ_S3_PORT" != "$(cat "$DIR/port")" ]; then
    log "the MinIO in $DIR runs on port $(cat "$DIR/port"), not DJ_S3_PORT=$DJ_S3_PORT; stop it with minio-down.sh or use another DJ_S3_DIR"
    exit 1
  fi
  PORT="$(cat "$DIR/port")"
  if wait_for 10 ready; then
    make_bucket
    log "already running on 127.0.0.1:$PORT"
    print_env
    exit 0
  fi
  log "minio in $DIR runs but does not answer; restarting it"
  kill "$(cat "$DIR/minio.pid")" 2>/dev/null || true
  sleep 1
fi

# 2. The binary: built once with go install (several minutes, ~1.5 GB of caches).
BIN="${MINIO_BIN:-$(command -v minio || true)}"
if [ -z "$BIN" ]; then
  GB="$(go env GOBIN)"
  [ -n "$GB" ] || GB="$(go env GOPATH)/bin"
  BIN="$GB/minio"
  if [ ! -x "$BIN" ]; then
    # One build per machine: a second caller waits for the first.
    mkdir -p "$GB"
    (
      flock -w 1800 8 || { log "timed out waiting for another minio build"; exit 1; }
      if [ ! -x "$BIN" ]; then
        log "building github.com/minio/minio@$VER into $GB (about 7 minutes, once per machine)"
        GOFLAGS=-buildvcs=false go install "github.com/minio/minio@$VER" </dev/null >&2
      fi
    ) 8>"$GB/.minio-build.lock"
  fi
fi

# 3. Port (under the machine-wide port lock).
lock_ports
if [ -n "$PORT" ] && port_in_use "$PORT"; then
  if [ -n "${DJ_S3_PORT:-}" ]; then
    log "port $PORT is taken by another server; choose another DJ_S3_PORT"
    exit 1
  fi
  PORT=""
fi
[ -n "$PORT" ] || PORT="$(free_port 9000 9999)" || { log "no free port in 9000-9999"; exit 1; }

# 4. Start detached.
MINIO_ROOT_USER="$AK" MINIO_ROOT_PASSWORD="$SK" MINIO_BROWSER=off MINIO_UPDATE=off \
  setsid "$BIN" server "$DIR/data" --address "127.0.0.1:$PORT" --quiet \
  </dev/null >>"$DIR/minio.log" 2>&1 9>&- 7>&- &
SPID=$!
echo "$SPID" >"$DIR/minio.pid"
echo "$PORT" >"$DIR/port"
log "starting minio (pid $SPID) on 127.0.0.1:$PORT"
if ! wait_for_pid "$SPID" 60 ready; then
  if kill -0 "$SPID" 2>/dev/null; then log "not ready after 60 s:"; else log "minio exited:"; fi
  tail -20 "$DIR/minio.log" >&2
  exit 1
fi
unlock_ports
make_bucket
log "ready (data $DIR/data, bucket $BUCKET)"
print_env
