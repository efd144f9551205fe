#!/usr/bin/env bash
# test.sh — the project's test command: start MariaDB and MinIO if needed,
# then check formatting, run go vet and run every test against them, with the
# race detector.
# Arguments go to go test (default ./...), e.g. docker/test.sh -run Insert ./dj/
# Never sets DJ_TEST_ALLOW_SKIP: a missing service fails the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

db_env=$(bash docker/mariadb-up.sh)
eval "$db_env"
s3_env=$(bash docker/minio-up.sh)
eval "$s3_env"
export DJ_HOST DJ_USER DJ_PASS DJ_S3_ENDPOINT DJ_S3_ACCESS_KEY DJ_S3_SECRET_KEY DJ_S3_BUCKET
# Graphviz's dot renders dj diagram's SVG and PNG (Debian package graphviz).
if ! command -v dot >/dev/null; then
  echo "[test] installing graphviz with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q graphviz >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q graphviz >/dev/null; }
fi
# Headless Chromium runs the browser tests of dj web (Debian package chromium;
# about 2.5 minutes to install on a fresh machine, apt-get update included).
if ! command -v chromium >/dev/null; then
  echo "[test] installing chromium with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
fi
unset DJ_TEST_ALLOW_SKIP

echo "[test] gofmt" >&2
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t gofiles < <(git ls-files -co --exclude-standard '*.go' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
else
  mapfile -t gofiles < <(find . -name '*.go' -not -path './.git/*')
fi
unformatted=$(gofmt -l "${gofiles[@]}")
if [ -n "$unformatted" ]; then
  echo "not gofmt-formatted:" >&2
  echo "$unformatted" >&2
  exit 1
fi
# Package arguments (./..., ./dj/, ../x) select what go vet and go test
# check; without any, both cover ./... . Other arguments go to go test.
pkgs=()
for a in "$@"; do
  case "$a" in
    . | ./* | .. | ../*) pkgs+=("$a") ;;
  esac
done
if [ ${#pkgs[@]} -eq 0 ]; then
  pkgs=(./...)
  set -- "$@" ./...
fi
echo "[test] go vet ${pkgs[*]}" >&2
go vet "${pkgs[@]}"
# The race detector is on: every test also checks for data races.
echo "[test] go test -race -count=1 $*" >&2
go test -race -count=1 -timeout 60m "$@"
