#!/usr/bin/env bash
# Two app hosts behind a round-robin balancer, on one PostgreSQL and one Redis: the sign-up race
# across hosts, a session continuing on the other host, and a host killed mid-load
# (bench/two_hosts.py runs the checks). Run as root: bash bench/two_hosts.sh
#
# Each host is a network namespace (portal-a 10.77.0.2, portal-b 10.77.0.3) joined by its veth
# pair to a bridge holding the host side, 10.77.0.1. PostgreSQL and Redis keep listening on
# 127.0.0.1 only: HAProxy forwards 10.77.0.1:5432 and :6379 to them (TCP), and balances HTTP on
# 127.0.0.1:8790 over both hosts, naming the host that answered in X-Served-By. Everything made
# here is removed on exit, whatever happens (trap).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "two_hosts.sh needs root (network namespaces)" >&2; exit 1; }
command -v haproxy >/dev/null || { apt-get update -qq && apt-get install -y -qq haproxy; }

HOST=10.77.0.1
BRIDGE=portal-br0
NAMESPACES=(portal-a portal-b)
ADDRESSES=(10.77.0.2 10.77.0.3)
BALANCER=http://127.0.0.1:8790
PG=${BENCH_POSTGRES:-postgresql+psycopg://postgres@127.0.0.1:5432}
DB=portal_bench_hosts
tmp=$(mktemp -d)

teardown() {
  set +e
  for ns in "${NAMESPACES[@]}"; do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill -TERM $pids 2>/dev/null && sleep 1
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
    ip netns del "$ns" 2>/dev/null
    ip link del "veth-$ns" 2>/dev/null
  done
  [ -f "$tmp/haproxy.pid" ] && kill "$(cat "$tmp/haproxy.pid")" 2>/dev/null
  ip link del "$BRIDGE" 2>/dev/null
  command -v psql >/dev/null && psql -q -h 127.0.0.1 -U postgres \
    -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" 2>/dev/null
  rm -rf "$tmp"
  echo "torn down: namespaces, links, balancer"
}
trap teardown EXIT INT TERM

echo "== network: bridge $BRIDGE ($HOST), ${NAMESPACES[*]}"
ip link add "$BRIDGE" type bridge
ip addr add "$HOST/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
for i in 0 1; do
  ns=${NAMESPACES[$i]}
  ip netns add "$ns"
  ip link add "veth-$ns" type veth peer name eth0 netns "$ns"
  ip link set "veth-$ns" master "$BRIDGE" up
  ip -n "$ns" addr add "${ADDRESSES[$i]}/24" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "$HOST"
done

echo "== balancer and forwarders (HAProxy)"
cat >"$tmp/haproxy.cfg" <<EOF
global
  maxconn 4000
defaults
  timeout connect 2s
  timeout client 1h
  timeout server 1h
listen postgres
  mode tcp
  bind $HOST:5432
  server db 127.0.0.1:5432
listen redis
  mode tcp
  bind $HOST:6379
  server redis 127.0.0.1:6379
frontend portal
  mode http
  bind 127.0.0.1:8790
  option forwardfor
  timeout client 60s
  default_backend hosts
backend hosts
  mode http
  balance roundrobin
  timeout server 60s
  # Patient checks: a busy sync worker (an argon2 sign-in takes its CPU for half a second) is
  # not a dead host; a killed one refuses connections, which retry-on handles at once.
  option httpchk GET /healthz
  timeout check 10s
  default-server inter 2s fall 3 rise 2
  # A request the dead host never answered goes to the other one (sign-up and cancel are
  # idempotent in the service, so a repeated one changes nothing).
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response response-timeout
  http-response set-header X-Served-By %s
  server a ${ADDRESSES[0]}:8000 check
  server b ${ADDRESSES[1]}:8000 check
EOF
haproxy -c -q -f "$tmp/haproxy.cfg"
haproxy -D -p "$tmp/haproxy.pid" -f "$tmp/haproxy.cfg"

echo "== data: small, into $DB"
.venv/bin/python bench/two_hosts.py prepare "$PG/$DB" "$tmp/facts.json" 2>"$tmp/data.log" \
  || { cat "$tmp/data.log"; exit 1; }

echo "== app hosts: gunicorn -c gunicorn.conf.py -w 2 in each namespace"
# One key pair for both hosts: a session signed by one is read by the other.
secret_key=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
pseudonym_key=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
for i in 0 1; do
  ns=${NAMESPACES[$i]}
  ip netns exec "$ns" env \
    PORTAL_ENV=production \
    SECRET_KEY="$secret_key" PSEUDONYM_KEY="$pseudonym_key" \
    DATABASE_URL="postgresql+psycopg://postgres@$HOST:5432/$DB" \
    RATELIMIT_STORAGE_URI="redis://$HOST:6379/0" \
    FORWARDED_ALLOW_IPS="$HOST" PROXY_HOPS=1 \
    LOGIN_RATE_LIMIT="1000 per minute" `# fifty people sign in from this one machine` \
    setsid .venv/bin/gunicorn -c gunicorn.conf.py -w 2 -b "${ADDRESSES[$i]}:8000" \
    'portal:create_app()' >"$tmp/$ns.log" 2>&1 &
  disown  # killed on purpose later: no job notices
done
for address in "${ADDRESSES[@]}"; do
  for _ in $(seq 1 300); do
    curl -sf "http://$address:8000/healthz" >/dev/null && break
    sleep 0.2
  done
  curl -sf "http://$address:8000/healthz" >/dev/null || { tail -30 "$tmp"/*.log; exit 1; }
done
for _ in $(seq 1 50); do curl -sf "$BALANCER/healthz" >/dev/null && break; sleep 0.2; done

echo "== checks through the balancer"
status=0
.venv/bin/python bench/two_hosts.py check "$PG/$DB" "$tmp/facts.json" "$BALANCER" portal-b \
  || status=$?
if grep -q Traceback "$tmp"/portal-*.log; then
  echo "a host logged a traceback:"; grep -B2 -A20 Traceback "$tmp"/portal-*.log | head -60
  status=1
fi
exit $status
