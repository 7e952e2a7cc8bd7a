#!/usr/bin/env bash
# Back up KI-veileder: the PostgreSQL database, every stored file (reports, on disk or S3) and the sealing
# certificate when it lives in the data folder, into one new folder DEST/kiveileder-<UTC time>/ with a
# manifest. Prints the folder's path. The manifest records the seal's fingerprint either way: a seal kept
# outside the data folder (KIV_SIGNING_P12) must be kept beside the backup (docs/deployment.md).
#
#   DATABASE_URL=postgres://… [KIV_S3_*=…] deploy/backup.sh /var/backups/kiveileder
#
# Runs with the app's environment (the same variables as the web processes). The database goes first,
# then the files: reports are written before the row that names them, so every file the dump refers to
# is already there when the files are copied. Only a complete backup gets its final name.
set -euo pipefail

APP_DIR=${KIV_APP_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
PYTHON=${KIV_PYTHON:-$APP_DIR/.venv/bin/python}
dest=${1:?usage: backup.sh DEST_FOLDER}
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to back up}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL must be a PostgreSQL URL (the SQLite default is backed up by copying its file)" >&2; exit 2 ;;
esac

manage() { (cd "$APP_DIR" && "$PYTHON" manage.py "$@"); }

umask 077
mkdir -p "$dest"
out="$dest/kiveileder-$(date -u +%Y%m%dT%H%M%SZ)"
work="$out.partial"
rm -rf "$work"
mkdir "$work"
trap 'rm -rf "$work"' EXIT

# A broken audit chain is reported, not silently backed up.
if ! audit=$(manage verify_audit_log); then
  echo "backup.sh: the audit log does not verify, backup stopped: $audit" >&2
  exit 1
fi

pg_dump --format=custom --no-owner --no-privileges --file="$work/db.dump" --dbname="$DATABASE_URL"
files=$(manage storage_backup export "$work")
seal=$(manage storage_backup seal-export "$work")

"$PYTHON" - "$work" "$audit" "$files" "$seal" <<'PY'
import hashlib, json, pathlib, sys, datetime
work, audit, files = pathlib.Path(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3].splitlines()[-1])
seal = json.loads(sys.argv[4].splitlines()[-1])
digest = hashlib.sha256()
with open(work / "db.dump", "rb") as handle:
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
manifest = {
    "format": 1,
    "created": datetime.datetime.now(datetime.UTC).isoformat(),
    "db_sha256": digest.hexdigest(),
    "files": files["files"],
    "audit_count": audit["count"],
    "audit_head_hash": audit["head_hash"],
    "seal_fingerprint_sha256": seal["fingerprint_sha256"],
    "seal_in_backup": seal["in_backup"],
}
(work / "MANIFEST.json").write_text(json.dumps(manifest, indent=1))
PY

mv "$work" "$out"
trap - EXIT
echo "$out"
