#!/usr/bin/env bash
# Console benchmark: every console query against a database of 10 million messages.
# Seeds (once, kept for later runs) a database of CONSOLE_BENCH_MESSAGES messages over the last 7
# days (bench/console/seed-*.sql: 20 tenants, the largest with 40 % of the traffic, 1-2 attempts
# each, webhook events for one in five), starts the packaged service on it, waits until the
# roll-up has caught up on the week, then times each console endpoint over HTTP as the largest
# tenant and as the operator (curl, ROUNDS rounds after a warm-up) and, as the peer in the same
# run, the 7-day report computed straight from the attempts with psql.
# Usage: bench/console/run.sh [rounds=20]   (CONSOLE_BENCH_RESEED=1 seeds again,
#        CONSOLE_BENCH_SEED_ONLY=1 stops after seeding)
# Prints the figures and appends them to bench/results/console.txt; exits 1 when a query's p50
# is over 200 ms.
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=${1:-20}
total=${CONSOLE_BENCH_MESSAGES:-10000000}
db=${CONSOLE_BENCH_DB:-cascade_console_bench}
port=${BENCH_PORT:-8095}
management_port=$((port + 1000))
limit_ms=200
results=bench/results/console.txt
key=csk_bench-console-0123456789abcdefghijklmnopqrs # the shape of a real key: csk_ and 43 characters
token="bench-$RANDOM$RANDOM"
tenant=00000000-0000-4000-8000-000000000001

deploy/local/services.sh
jar=target/quarkus-app/quarkus-run.jar
if [ ! -f "$jar" ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit)" ]; then
  ./mvnw -B -q package -DskipTests
fi
psql_admin() { psql -h 127.0.0.1 -U postgres -qtA "$@"; }
psql_db() { psql -h 127.0.0.1 -U cascade -d "$db" -qtA "$@"; }

service=
start_service() {
  PORT=$port MANAGEMENT_PORT=$management_port CASCADE_DB_NAME=$db CASCADE_ADMIN_TOKEN=$token \
    CASCADE_ANALYTICS_ROLLUP_INTERVAL=${CASCADE_ANALYTICS_ROLLUP_INTERVAL:-2s} \
    CASCADE_ANALYTICS_ROLLUP_DELAY=1s CASCADE_CONSOLE_SECURE_COOKIE=false \
    java ${JAVA_OPTS:-} -jar "$jar" >target/bench-console-service.log 2>&1 &
  service=$!
  for _ in $(seq 1 90); do
    curl -fs "http://127.0.0.1:$management_port/q/health/ready" >/dev/null 2>&1 && return
    sleep 1
  done
  echo "service did not become ready: see target/bench-console-service.log" >&2
  exit 1
}
stop_service() { [ -n "$service" ] && kill "$service" 2>/dev/null && wait "$service" 2>/dev/null || true; service=; }
trap stop_service EXIT

seeded=$(psql_db -c "SELECT count(*) FROM message" 2>/dev/null || echo 0)
if [ "${CONSOLE_BENCH_RESEED:-0}" = 1 ] || [ "$seeded" -lt "$total" ]; then
  echo "seeding $total messages into $db (about 2 minutes per million here)"
  psql_admin -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db OWNER cascade"
  start_service # runs the migrations
  stop_service
  psql_db -v key_hash="$(printf %s "$key" | sha256sum | cut -d' ' -f1)" \
    -f bench/console/seed-tenants.sql
  seed_started=$(date +%s)
  for lo in $(seq 1 1000000 "$total"); do
    hi=$((lo + 999999 < total ? lo + 999999 : total))
    psql_db -v lo="$lo" -v hi="$hi" -v total="$total" -f bench/console/seed-slice.sql
    echo "  $hi"
  done
  psql_db -c "VACUUM ANALYZE"
  echo "seeded in $(($(date +%s) - seed_started)) s"
else
  # Keep the seeded week ending now: later runs move it forward instead of seeding again.
  shift_by=$(psql_db -c "SELECT extract(epoch FROM now() - max(created_at))::bigint FROM message")
  if [ "$shift_by" -gt 3600 ]; then
    echo "moving the seeded week forward by $shift_by s"
    psql_db -c "BEGIN; SET CONSTRAINTS ALL DEFERRED;
      UPDATE message SET created_at = created_at + interval '$shift_by s',
        updated_at = updated_at + interval '$shift_by s', valid_until = valid_until + interval '$shift_by s';
      UPDATE attempt SET started_at = started_at + interval '$shift_by s',
        ended_at = ended_at + interval '$shift_by s', delivered_at = delivered_at + interval '$shift_by s',
        accepted_at = accepted_at + interval '$shift_by s';
      UPDATE webhook_event SET created_at = created_at + interval '$shift_by s',
        delivered_at = delivered_at + interval '$shift_by s';
      DELETE FROM delivery_rollup; DELETE FROM rollup_hour; DELETE FROM console_session; COMMIT;
      VACUUM ANALYZE;"
  fi
fi

[ "${CONSOLE_BENCH_SEED_ONLY:-0}" = 1 ] && exit 0
messages=$(psql_db -c "SELECT count(*) FROM message")
attempts=$(psql_db -c "SELECT count(*) FROM attempt")
start_service
base="http://127.0.0.1:$port"

# The roll-up catches up on the week (192 hours) before anything is timed.
rollup_started=$(date +%s)
for _ in $(seq 1 900); do
  rolled=$(psql_db -c "SELECT count(*) FROM rollup_hour WHERE hour >= now() - interval '7 days 1 hour'")
  [ "$rolled" -ge 168 ] && break
  sleep 1
done
rollup_seconds=$(($(date +%s) - rollup_started))
echo "roll-up of the week: $rolled hours in ${rollup_seconds} s"

sign_in() {
  curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d "$1" \
    "$base/console/api/session" | sed -nE 's/^Set-Cookie: cascade_console=([^;]+).*/\1/ip'
}
tenant_cookie=$(sign_in "{\"apiKey\":\"$key\"}")
operator_cookie=$(sign_in "{\"operatorToken\":\"$token\"}")
[ -n "$tenant_cookie" ] && [ -n "$operator_cookie" ] || { echo "sign-in failed" >&2; exit 1; }

some_id=$(psql_db -c "SELECT id FROM message WHERE tenant_id = '$tenant' AND created_at < now() - interval '3 days' ORDER BY id DESC LIMIT 1")
recipient=$(psql_db -c "SELECT substring(route FROM '\"to\":\"([^\"]+)\"') FROM message WHERE id = '$some_id'")
from=$(date -u -d '-4 days' +%Y-%m-%dT%H:00:00Z)
until=$(date -u -d '-4 days +1 hour' +%Y-%m-%dT%H:00:00Z)

# name|cookie|path
queries=(
  "tenant figures (last hour)|tenant|/console/api/tenant/figures"
  "tenant analytics 1h|tenant|/console/api/tenant/analytics?window=1h"
  "tenant analytics 24h|tenant|/console/api/tenant/analytics?window=24h"
  "tenant analytics 7d|tenant|/console/api/tenant/analytics?window=7d"
  "search: newest 50|tenant|/console/api/tenant/messages"
  "search: by id|tenant|/console/api/tenant/messages?id=$some_id"
  "search: by reference|tenant|/console/api/tenant/messages?reference=order-4242"
  "search: by recipient|tenant|/console/api/tenant/messages?to=$(printf %s "$recipient" | sed 's/+/%2B/')"
  "search: failed|tenant|/console/api/tenant/messages?status=failed"
  "search: high priority in an hour 4 days ago|tenant|/console/api/tenant/messages?priority=high&from=$from&until=$until"
  "timeline of a message|tenant|/console/api/tenant/messages/$some_id"
  "operator figures|operator|/console/api/operator/figures"
  "operator analytics 1h|operator|/console/api/operator/analytics?window=1h"
  "operator analytics 24h|operator|/console/api/operator/analytics?window=24h"
  "operator analytics 7d|operator|/console/api/operator/analytics?window=7d"
)

stamp=$(date -u +%Y-%m-%dT%H:%MZ)
{
  echo "# $stamp console queries, $messages messages / $attempts attempts, $rounds rounds, ms (p50 p95 max)"
} | tee -a "$results"
over=0
for entry in "${queries[@]}"; do
  IFS='|' read -r name who path <<<"$entry"
  cookie=$tenant_cookie
  [ "$who" = operator ] && cookie=$operator_cookie
  status=$(curl -s -o /dev/null -w '%{http_code}' -b "cascade_console=$cookie" "$base$path")
  [ "$status" = 200 ] || { echo "$name: HTTP $status for $path" >&2; exit 1; }
  for _ in 1 2 3; do curl -fs -o /dev/null -b "cascade_console=$cookie" "$base$path"; done
  times=$(for _ in $(seq 1 "$rounds"); do
    curl -fs -o /dev/null -w '%{time_total}\n' -b "cascade_console=$cookie" "$base$path"
  done | awk '{ printf "%.1f\n", $1 * 1000 }' | sort -n)
  p50=$(echo "$times" | awk -v n="$rounds" 'NR == int((n + 1) / 2)')
  p95=$(echo "$times" | awk -v n="$rounds" 'NR == int(n * 0.95 + 0.999)')
  max=$(echo "$times" | tail -1)
  verdict=ok
  if awk -v p="$p50" -v l="$limit_ms" 'BEGIN { exit !(p > l) }'; then verdict=OVER; over=1; fi
  printf '%-45s %8s %8s %8s  %s\n' "$name" "$p50" "$p95" "$max" "$verdict" | tee -a "$results"
done

# The peer: the 7-day report of the largest tenant straight from the attempts, no roll-up.
raw_ms=$(psql_db -c '\timing on' -c "SELECT lower(a.channel), a.provider, count(*), count(a.delivered_at),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.delivered_at - m.created_at))
  FROM attempt a JOIN message m ON m.id = a.message_id
  WHERE a.started_at >= date_trunc('hour', now()) - interval '7 days' AND m.tenant_id = '$tenant'
  GROUP BY 1, 2" | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p')
printf '%-45s %8s  (psql, one run)\n' "peer: 7d from the attempts, no roll-up" "$raw_ms" | tee -a "$results"
echo "roll-up of the week after start: ${rollup_seconds} s" | tee -a "$results"
exit $over
