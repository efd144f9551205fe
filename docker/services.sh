#!/usr/bin/env bash
# services.sh — start MariaDB and MinIO (see mariadb-up.sh, minio-up.sh) and
# print the export lines for both. Use as: eval "$(docker/services.sh)"
set -euo pipefail
cd "$(dirname "$0")"
db_env=$(bash mariadb-up.sh)
s3_env=$(bash minio-up.sh)
echo "$db_env"
echo "$s3_env"
