#!/usr/bin/env bash
# Requests per second of the key pages under gunicorn, on a demo database.
# Run by hand: bash bench/pages.sh [DATABASE_URL]. Needs wrk (apt-get install wrk).
# Each page is measured for 10 s with 8 connections; figures go to the README.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'kill $(cat "$tmp/pid") 2>/dev/null || true; rm -rf "$tmp"' EXIT
export DATABASE_URL="${1:-sqlite:///$tmp/bench.db}"
export SECRET_KEY=bench-secret-key-bench-secret-key-123 PORTAL_ENV=development
FLASK=".venv/bin/flask --app portal"
$FLASK db upgrade >/dev/null 2>&1
$FLASK seed-demo >/dev/null
.venv/bin/gunicorn -w 2 -b 127.0.0.1:8765 --pid "$tmp/pid" --daemon 'portal:create_app()'
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:8765/healthz >/dev/null && break; sleep 0.2; done

cookie() {  # log in as $1 and print the session cookie
  local jar="$tmp/$1.jar" token
  token=$(curl -s -c "$jar" -b "$jar" http://127.0.0.1:8765/auth/login \
    | grep -o 'name="csrf_token"[^>]*value="[^"]*"' | sed 's/.*value="//;s/"$//')
  curl -s -c "$jar" -b "$jar" -o /dev/null -d "csrf_token=$token" \
    --data-urlencode "email=$1" -d "password=pierwszy-krok" http://127.0.0.1:8765/auth/login
  awk '$6 == "session" {print $7}' "$jar"
}

measure() {  # page, cookie
  local rps
  rps=$(wrk -t2 -c8 -d10s -H "Cookie: session=$2" "http://127.0.0.1:8765$1" \
    | awk '/Requests\/sec/ {print $2}')
  printf '%-28s %8s req/s\n' "$1" "$rps"
}

participant=$(cookie mieszkanka@example.org)
staff=$(cookie pracownik@example.org)
measure /healthz ""
measure /me/ "$participant"
measure /me/events "$participant"
measure /me/events/8 "$participant"
measure /staff/events "$staff"
measure /staff/participants "$staff"
