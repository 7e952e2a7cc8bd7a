#!/usr/bin/env bash
# Smoke test of the scaled-out shape, as plain processes on this machine, then a journey through it:
#   PostgreSQL (a throwaway database on the shared server), Redis (db 9 of the shared server),
#   moto's S3 server, the fake OIDC provider (deploy/fake_oidc.py), two gunicorn instances,
#   one Celery worker and one beat.
# Everything it starts it stops again (by pid), and it drops its database. Exit 0 when the journey passed.
#   deploy/smoke.sh            (KIV_SMOKE_KEEP=1 keeps the work folder with the logs)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BIN="$ROOT/.venv/bin"
PY="$BIN/python"
PG_SERVER=${KIV_SMOKE_PG:-postgres://postgres@127.0.0.1:5432}
DB_NAME=${KIV_SMOKE_DB:-kiv_smoke}
REDIS_URL=${KIV_SMOKE_REDIS:-redis://127.0.0.1:6379/9}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kiv-smoke.XXXXXX")
PIDS=()

log() { printf '== %s\n' "$*"; }

cleanup() {
  status=$?
  set +e
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null
  done
  psql "$PG_SERVER/postgres" -q -c "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)" >/dev/null 2>&1
  "$PY" -c "import redis,sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS_URL" 2>/dev/null
  if [ "$status" -ne 0 ]; then
    for f in "$WORK"/logs/*.log; do echo "---- $(basename "$f") (last lines)"; tail -n 25 "$f"; done
  fi
  if [ "${KIV_SMOKE_KEEP:-}" = 1 ]; then echo "work folder kept: $WORK"; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT INT TERM

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {  # URL, seconds
  for _ in $(seq $(( $2 * 5 ))); do
    "$PY" -c 'import sys,urllib.request as u; u.urlopen(sys.argv[1], timeout=2)' "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "no answer from $1" >&2; return 1
}
start() {  # name, command...
  local name=$1; shift
  "$@" >"$WORK/logs/$name.log" 2>&1 &
  PIDS+=($!)
  eval "PID_${name//-/_}=$!"
}

mkdir -p "$WORK/logs" "$WORK/data" "$WORK/secrets"
S3_PORT=$(free_port); OIDC_PORT=$(free_port); WEB1_PORT=$(free_port); WEB2_PORT=$(free_port)

log "PostgreSQL database $DB_NAME, Redis $REDIS_URL"
export PGOPTIONS="--client-min-messages=warning"
pg_isready -d "$PG_SERVER/postgres" -q || { echo "PostgreSQL does not answer at $PG_SERVER" >&2; exit 1; }
psql "$PG_SERVER/postgres" -q -c "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)" >/dev/null
psql "$PG_SERVER/postgres" -q -c "CREATE DATABASE \"$DB_NAME\"" >/dev/null
"$PY" -c "import redis,sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS_URL"

# Secrets as files, the way systemd credentials hand them over.
"$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$WORK/secrets/django-secret-key"
echo "smoke-s3-secret" >"$WORK/secrets/s3-secret"
"$PY" -c 'import secrets; print(secrets.token_urlsafe(24))' >"$WORK/secrets/oidc-client-secret"
echo "smoke-seal-passphrase" >"$WORK/secrets/p12-password"
"$PY" -c 'import secrets; print(secrets.token_hex(32))' >"$WORK/secrets/audit-key"
cat >"$WORK/users.json" <<'JSON'
{"lene":  {"oid": "11111111-1111-4111-8111-111111111111", "sub": "pairwise-lene",
           "preferred_username": "lene.leder@oslo.kommune.no", "email": "lene.leder@oslo.kommune.no",
           "given_name": "Lene", "family_name": "Leder", "groups": ["grp-frogner-ledere"]},
 "ulrik": {"oid": "22222222-2222-4222-8222-222222222222", "sub": "pairwise-ulrik",
           "preferred_username": "ulrik.kontrollor@oslo.kommune.no",
           "given_name": "Ulrik", "family_name": "Kontrollør", "groups": ["grp-uke-saksbehandlere"]}}
JSON

# The app's environment: production settings (debug off, JSON logs), plain HTTP on loopback only.
export DJANGO_DEBUG=False
export DJANGO_SECRET_KEY_FILE="$WORK/secrets/django-secret-key"
export KIV_AUDIT_KEY_FILE="$WORK/secrets/audit-key"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export KIV_ALLOW_HTTP=True
export KIV_DATA_DIR="$WORK/data"
export DATABASE_URL="$PG_SERVER/$DB_NAME"
export CELERY_BROKER_URL="$REDIS_URL"
export KIV_CACHE_URL="$REDIS_URL"
export KIV_LOG_JSON=True
export KIV_S3_BUCKET=kiv-smoke-reports KIV_S3_ENDPOINT_URL="http://127.0.0.1:$S3_PORT" KIV_S3_REGION=eu-north-1
export KIV_S3_ACCESS_KEY_ID=smoke KIV_S3_SECRET_ACCESS_KEY_FILE="$WORK/secrets/s3-secret" KIV_S3_ADDRESSING_STYLE=path
export KIV_OIDC_DISCOVERY_URL="http://127.0.0.1:$OIDC_PORT/tenant/v2.0/.well-known/openid-configuration"
export KIV_OIDC_CLIENT_ID=kiv-smoke KIV_OIDC_CLIENT_SECRET_FILE="$WORK/secrets/oidc-client-secret"
export KIV_OIDC_REDIRECT_URI="http://127.0.0.1:$WEB2_PORT/logg-inn/oidc/callback/"
export KIV_PASSWORD_LOGIN=staff
export KIV_SIGNING_P12="$WORK/secrets/seal.p12" KIV_SIGNING_P12_PASSWORD_FILE="$WORK/secrets/p12-password"
export KIV_PYTHON="$PY"
unset DJANGO_SECRET_KEY KIV_SIGNING_P12_PASSWORD KIV_OIDC_CLIENT_SECRET KIV_S3_SECRET_ACCESS_KEY

log "moto S3 on :$S3_PORT, fake OIDC provider on :$OIDC_PORT"
start s3 "$BIN/moto_server" -H 127.0.0.1 -p "$S3_PORT"
# "--client-secret=VALUE": a random secret may begin with "-", which argparse would take for an option.
start oidc "$PY" deploy/fake_oidc.py --port "$OIDC_PORT" --client-id kiv-smoke \
  --client-secret="$(cat "$WORK/secrets/oidc-client-secret")" --users "$WORK/users.json"
wait_http "http://127.0.0.1:$S3_PORT/moto-api/" 20
wait_http "$KIV_OIDC_DISCOVERY_URL" 20
"$PY" - <<'PY'
import os, pathlib, boto3
boto3.client("s3", endpoint_url=os.environ["KIV_S3_ENDPOINT_URL"], aws_access_key_id="smoke",
             aws_secret_access_key=pathlib.Path(os.environ["KIV_S3_SECRET_ACCESS_KEY_FILE"]).read_text().strip(),
             region_name="eu-north-1").create_bucket(
    Bucket=os.environ["KIV_S3_BUCKET"], CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
PY

log "upgrade steps: migrate, static files, questionnaire; the seal certificate; group mappings"
"$PY" -c "
import os, pathlib, sys
sys.path.insert(0, '.')
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'kiveileder.settings')
import django; django.setup()
from assessments.reports.signing import make_self_signed_p12
pw = pathlib.Path(os.environ['KIV_SIGNING_P12_PASSWORD_FILE']).read_text().strip().encode()
pathlib.Path(os.environ['KIV_SIGNING_P12']).write_bytes(make_self_signed_p12('Oslo kommune – KI-veileder (røyktest)', password=pw, key_size=2048))
"
bash deploy/upgrade.sh >"$WORK/logs/upgrade.log" 2>&1 || { cat "$WORK/logs/upgrade.log"; exit 1; }
"$PY" manage.py shell -c "
from assessments.demo import seed_agencies
from assessments.models import Agency, GroupMapping
seed_agencies()
GroupMapping.objects.create(group_id='grp-frogner-ledere', agency=Agency.objects.get(name='Bydel Frogner'), role='leader')
GroupMapping.objects.create(group_id='grp-uke-saksbehandlere', role='reviewer')
" >>"$WORK/logs/upgrade.log" 2>&1

log "two gunicorn instances (:$WEB1_PORT, :$WEB2_PORT), one worker, one beat"
KIV_BIND="127.0.0.1:$WEB1_PORT" GUNICORN_WORKERS=2 start web1 "$BIN/gunicorn" -c deploy/gunicorn.conf.py kiveileder.wsgi
KIV_BIND="127.0.0.1:$WEB2_PORT" GUNICORN_WORKERS=2 start web2 "$BIN/gunicorn" -c deploy/gunicorn.conf.py kiveileder.wsgi
start worker "$BIN/celery" -A kiveileder worker --loglevel=INFO --concurrency=1 --hostname "smoke@%h" --without-gossip --without-mingle
start beat "$BIN/celery" -A kiveileder beat --loglevel=INFO --schedule "$WORK/data/celerybeat-schedule"
wait_http "http://127.0.0.1:$WEB1_PORT/healthz" 60
wait_http "http://127.0.0.1:$WEB2_PORT/healthz" 60

log "journey"
SMOKE_WEB1="http://127.0.0.1:$WEB1_PORT" SMOKE_WEB2="http://127.0.0.1:$WEB2_PORT" SMOKE_LOGS="$WORK/logs" \
  "$PY" deploy/smoke_journey.py

log "one instance goes away: the other still serves"
kill -TERM "$PID_web1"
for _ in $(seq 50); do kill -0 "$PID_web1" 2>/dev/null || break; sleep 0.2; done
"$PY" -c 'import sys,urllib.request as u; assert u.urlopen(sys.argv[1], timeout=5).status == 200' \
  "http://127.0.0.1:$WEB2_PORT/healthz"
kill -0 "$PID_beat" && grep -q "beat: Starting" "$WORK/logs/beat.log" \
  || { echo "beat is not running" >&2; exit 1; }
echo "ok   web2 serves with web1 stopped; beat running"
log "smoke passed"
