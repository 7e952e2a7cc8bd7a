#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into the database and storage the environment names.
#
#   DATABASE_URL=postgres://…/kiveileder [KIV_S3_*=…] deploy/restore.sh /var/backups/kiveileder/kiveileder-… --yes
#
# Stop the web processes, the workers and beat first. The target database is replaced (pg_restore --clean
# in one transaction: a failed restore leaves it as it was). Every file's sha256 and the dump's are checked
# before anything is written, and the sealing certificate must be the one the reports were sealed with
# (the backup's, put back into the data folder, or KIV_SIGNING_P12); afterwards migrations run (newer code
# on an older backup) and the audit chain must verify and end in the hash the manifest recorded.
set -euo pipefail

APP_DIR=${KIV_APP_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
PYTHON=${KIV_PYTHON:-$APP_DIR/.venv/bin/python}
backup=${1:?usage: restore.sh BACKUP_FOLDER --yes}
if [ "${2:-}" != "--yes" ]; then
  echo "restore.sh: this replaces the data in DATABASE_URL and the report storage; add --yes to go on" >&2
  exit 2
fi
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to restore into}"
backup=$(cd "$backup" && pwd)
for part in MANIFEST.json db.dump files.json; do
  [ -f "$backup/$part" ] || { echo "restore.sh: $backup/$part is missing" >&2; exit 1; }
done

manage() { (cd "$APP_DIR" && "$PYTHON" manage.py "$@"); }
manifest() { "$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$backup/MANIFEST.json" "$1"; }

expected=$(manifest db_sha256)
actual=$(sha256sum "$backup/db.dump" | cut -d' ' -f1)
if [ "$expected" != "$actual" ]; then
  echo "restore.sh: db.dump does not match the manifest's sha256: the backup is damaged" >&2
  exit 1
fi

manage storage_backup check "$backup" >/dev/null
if [ -f "$backup/seal.json" ]; then
  manage storage_backup seal-import "$backup" >/dev/null
else
  echo "restore.sh: this backup predates seal.json; keep the sealing certificate (KIV_SIGNING_P12) yourself" >&2
fi

pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="$DATABASE_URL" "$backup/db.dump"
manage migrate --noinput >/dev/null
manage storage_backup import "$backup" >/dev/null

audit=$(manage verify_audit_log) || { echo "restore.sh: the restored audit log does not verify: $audit" >&2; exit 1; }
head=$("$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])["head_hash"])' "$audit")
if [ "$head" != "$(manifest audit_head_hash)" ]; then
  echo "restore.sh: the restored audit log ends in $head, the backup recorded $(manifest audit_head_hash)" >&2
  exit 1
fi
echo "restored $backup: $(manifest files) files, audit log of $(manifest audit_count) events verified"
