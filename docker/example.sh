#!/usr/bin/env bash
# example.sh — start a private MariaDB if needed and run the example
# pipeline (examples/pipeline) against it. Arguments go to the program.
set -euo pipefail
cd "$(dirname "$0")/.."
db_env=$(bash docker/mariadb-up.sh)
eval "$db_env"
export DJ_HOST DJ_USER DJ_PASS
go run ./examples/pipeline "$@"
