#!/usr/bin/env bash
# deploy/backup.sh DEST: a consistent backup of Tasklane on PostgreSQL with local file storage,
# while it runs. DATABASE_URL and STORAGE_DIR (or DATA_DIR, whose files/ it then is) as the app has them.
#
# Order: files, then the database, then the files again. Stored objects are never changed in place
# (a new upload is a new object, written before its row commits), so every row in the dump has its
# object in DEST: written before the dump's snapshot, it is copied by the second pass, and one
# deleted meanwhile was kept by the first. What the backup has beyond the rows is orphans, which the
# weekly sweep removes after a restore. With S3_BUCKET, do the same with `aws s3 sync` (never --delete)
# or rely on the bucket's versioning. The embedded database: stop the server and copy DATA_DIR.
set -euo pipefail
dest=${1:?usage: deploy/backup.sh DEST}
: "${DATABASE_URL:?set DATABASE_URL (the embedded database: stop the server, then copy DATA_DIR)}"
files=${STORAGE_DIR:-${DATA_DIR:-./data}/files}
mkdir -p "$dest/files"
copy_files() { [ ! -d "$files" ] || rsync -a "$files/" "$dest/files/"; }
copy_files
# custom format: compressed, restored selectively and in parallel by pg_restore
pg_dump --format=custom --no-owner --file="$dest/database.dump" "$DATABASE_URL"
copy_files
echo "backed up the database and $(find "$dest/files" -type f | wc -l) stored files to $dest"
