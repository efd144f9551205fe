#!/usr/bin/env bash
# test.sh — the project's test command: start MariaDB and MinIO if needed,
# then check formatting, run go vet and run every test against them.
# Arguments go to go test (default ./...), e.g. docker/test.sh -run Insert ./dj/
set -euo pipefail
cd "$(dirname "$0")/.."

db_env=$(bash docker/mariadb-up.sh)
eval "$db_env"
s3_env=$(bash docker/minio-up.sh)
eval "$s3_env"
export DJ_HOST DJ_USER DJ_PASS DJ_S3_ENDPOINT DJ_S3_ACCESS_KEY DJ_S3_SECRET_KEY DJ_S3_BUCKET
unset DJ_TEST_ALLOW_SKIP

echo "[test] gofmt" >&2
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "not gofmt-formatted:" >&2
  echo "$unformatted" >&2
  exit 1
fi
echo "[test] go vet ./..." >&2
go vet ./...
echo "[test] go test" >&2
if [ $# -eq 0 ]; then
  set -- ./...
fi
go test -count=1 -timeout 30m "$@"
