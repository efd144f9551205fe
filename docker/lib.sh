# Shared helpers for the service scripts; sourced, not run.

log() { echo "[$(basename "$0" .sh)] $*" >&2; }

# port_in_use PORT: true when something accepts TCP connections on it.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port START END: print the first port in [START, END] nobody listens on.
free_port() {
  local p
  for ((p = $1; p <= $2; p++)); do
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  return 1
}

# wait_for SECONDS CMD...: retry CMD every 0.2 s until it succeeds.
wait_for() {
  local secs=$1; shift
  local i
  for ((i = 0; i < secs * 5; i++)); do
    "$@" && return 0
    sleep 0.2
  done
  return 1
}

# lock_ports: serialise choosing a port and starting a server across every
# dj service script on the machine (different DJ_DB_DIR/DJ_S3_DIR included),
# so two scripts never pick the same free port. Held on fd 7 until
# unlock_ports; started servers must not inherit it (7>&-).
lock_ports() {
  exec 7>"${TMPDIR:-/tmp}/dj-service-ports.lock"
  flock -w 300 7 || { log "timed out waiting for ${TMPDIR:-/tmp}/dj-service-ports.lock"; return 1; }
}
unlock_ports() { exec 7>&-; }

# wait_for_pid PID SECONDS CMD...: like wait_for, but gives up as soon as
# process PID has exited (a server that failed to start).
wait_for_pid() {
  local pid=$1 secs=$2; shift 2
  local i
  for ((i = 0; i < secs * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || return 1
    "$@" && return 0
    sleep 0.2
  done
  return 1
}
