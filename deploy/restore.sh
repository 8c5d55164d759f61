#!/usr/bin/env bash
# deploy/restore.sh SRC: restores a backup of deploy/backup.sh into DATABASE_URL (an empty database,
# or one whose objects it replaces) and STORAGE_DIR (or DATA_DIR/files). Stop the API instances and
# workers first; start them after: they apply any migration newer than the backup.
# Files first, then the database: when the app starts, every row's object is there.
set -euo pipefail
src=${1:?usage: deploy/restore.sh SRC}
: "${DATABASE_URL:?set DATABASE_URL}"
[ -f "$src/database.dump" ] || { echo "no $src/database.dump" >&2; exit 1; }
files=${STORAGE_DIR:-${DATA_DIR:-./data}/files}
mkdir -p "$files"
rsync -a "$src/files/" "$files/"
pg_restore --clean --if-exists --no-owner --exit-on-error --single-transaction --dbname="$DATABASE_URL" "$src/database.dump"
echo "restored the database and $(find "$src/files" -type f | wc -l) stored files from $src"
