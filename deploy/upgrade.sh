#!/usr/bin/env bash
# The upgrade steps after new code (and `pip install .`) is in place, run ONCE per installation, from one
# machine, with the app's environment; then restart web, worker and beat everywhere.
#   1. migrate                 2. collect static files       3. compile translations
#   4. publish questionnaire versions under fixtures/questionnaire/ that the database does not have yet
#   5. check --deploy (fails on any warning)
set -euo pipefail
APP_DIR=${KIV_APP_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
PYTHON=${KIV_PYTHON:-$APP_DIR/.venv/bin/python}
cd "$APP_DIR"
"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py collectstatic --noinput -v 0
"$PYTHON" manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
"$PYTHON" manage.py publish_questionnaire --released
if [ "${KIV_ALLOW_HTTP:-}" = True ] || [ "${KIV_ALLOW_HTTP:-}" = true ] || [ "${KIV_ALLOW_HTTP:-}" = 1 ]; then
  # The named plain-HTTP opt-out (loopback runs such as deploy/smoke.sh) is not a production setup.
  echo "KIV_ALLOW_HTTP is on: running 'check' without --deploy"
  "$PYTHON" manage.py check --fail-level WARNING
else
  "$PYTHON" manage.py check --deploy --fail-level WARNING
fi
