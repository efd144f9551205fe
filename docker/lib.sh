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
