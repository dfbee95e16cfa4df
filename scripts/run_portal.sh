#!/usr/bin/env bash
# `make run`: migrate, load the demo data (with demo orders the first time), start a Celery
# worker and beat when Redis answers, then serve the portal on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=b2b_portal.settings.local

$BIN/python manage.py migrate --noinput -v 0
# Eager here on purpose: the demo orders move through the cycle before any worker starts.
REDIS_URL="" $BIN/python manage.py load_demo_data --with-orders 40

echo
if [ -n "${DATABASE_URL:-}" ]; then echo "Database: DATABASE_URL"; else echo "Database: SQLite (db.sqlite3)"; fi

redis_url=${REDIS_URL:-redis://127.0.0.1:6379/0}
if $BIN/python -c 'import redis, sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()' \
        "$redis_url" 2>/dev/null; then
    export REDIS_URL=$redis_url
    mkdir -p .run
    $BIN/celery -A b2b_portal worker -l info --concurrency 2 >.run/worker.log 2>&1 &
    $BIN/celery -A b2b_portal beat -l info >.run/beat.log 2>&1 &
    trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
    echo "Redis answers at $REDIS_URL: a Celery worker and beat run beside the web server (logs in .run/)."
else
    echo "Redis is not reachable: scheduled processes run eagerly inside the web process, and beat does not run."
fi

echo
echo "Sign in at http://127.0.0.1:8000/ with a demo login above (password demo1234)."
$BIN/python manage.py runserver 127.0.0.1:8000
