#!/usr/bin/env bash
# Accept benchmark: starts the packaged service on loopback against the local PostgreSQL and
# RabbitMQ with every simulator answering at once (0 ms), drives POST /v1/messages with wrk, waits
# until every accepted message is final, and reports:
#   accepted messages/s, accept latency p50/p99 (wrk), accept-to-delivered p50/p99 and delivered/s
#   (from the stored timestamps), non-202 answers, messages not final (lost) after the drain.
# Usage: bench/accept.sh [duration=30s] [connections=32]
# Prints the figures and appends them to bench/results/accept.txt.
set -euo pipefail
# The benchmark tenant sends as fast as it can: its rate limit must not be what is measured.
export CASCADE_LIMITS_MESSAGES_PER_SECOND=${CASCADE_LIMITS_MESSAGES_PER_SECOND:-1000000}
cd "$(dirname "$0")/.."

duration=${1:-30s}
connections=${2:-32}
port=${BENCH_PORT:-8090}
management_port=$((port + 1000)) # health and metrics
threads=$(( connections < 2 ? connections : 2 ))
results=bench/results/accept.txt
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

deploy/local/services.sh
jar=target/quarkus-app/quarkus-run.jar
if [ ! -f "$jar" ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit)" ]; then
  ./mvnw -B -q package -DskipTests
fi

token="bench-$RANDOM$RANDOM"
PORT=$port MANAGEMENT_PORT=$management_port CASCADE_ADMIN_TOKEN=$token CASCADE_SIMULATOR_LATENCY_MS=0 \
  java ${JAVA_OPTS:-} -jar "$jar" >target/bench-service.log 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
management="http://127.0.0.1:$management_port"
for _ in $(seq 1 60); do
  curl -fs "$management/q/health/ready" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "$management/q/health/ready" >/dev/null || { echo "service did not become ready" >&2; exit 1; }

tenant=$(curl -fs -X POST "$base/admin/v1/tenants" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d '{"name":"bench"}')
key=$(echo "$tenant" | sed -E 's/.*"apiKey":"([^"]+)".*/\1/')
tenant_id=$(echo "$tenant" | sed -E 's/.*"id":"([^"]+)".*/\1/')

# Warm up the JIT and the pools, then measure.
CASCADE_BENCH_KEY=$key wrk -t"$threads" -c"$connections" -d10s -s bench/send-message.lua \
  "$base/v1/messages" >/dev/null
psql_q() { psql -h 127.0.0.1 -U cascade -d "${CASCADE_DB_NAME:-cascade}" -qtA -c "$1"; }
wait_final() {
  for _ in $(seq 1 300); do
    [ "$(psql_q "SELECT count(*) FROM message WHERE tenant_id = '$tenant_id'
      AND status IN ('ACCEPTED', 'SENDING')")" = "0" ] && return 0
    sleep 1
  done
  return 1
}
wait_final || true
mark=$(psql_q "SELECT now()")

out=$(CASCADE_BENCH_KEY=$key wrk -t"$threads" -c"$connections" -d"$duration" --latency \
  -s bench/send-message.lua "$base/v1/messages")
echo "$out"
wait_final || echo "warning: messages still not final after 300 s" >&2

rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
stats=$(psql_q "SELECT count(*),
    count(*) FILTER (WHERE status = 'DELIVERED'),
    count(*) FILTER (WHERE status IN ('ACCEPTED', 'SENDING')),
    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - created_at) * 1000)
      FILTER (WHERE status = 'DELIVERED')::numeric, 1),
    round(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - created_at) * 1000)
      FILTER (WHERE status = 'DELIVERED')::numeric, 1),
    round((count(*) FILTER (WHERE status = 'DELIVERED')
      / nullif(extract(epoch FROM max(updated_at) - min(created_at)), 0))::numeric, 0)
  FROM message WHERE tenant_id = '$tenant_id' AND created_at >= '$mark'")
IFS='|' read -r total delivered pending d50 d99 dps <<<"$stats"

summary="$(date -u +%Y-%m-%dT%H:%MZ) commit=$(git rev-parse --short HEAD 2>/dev/null || echo none) duration=$duration connections=$connections cores=$(nproc)
  accepted/s=$rps accept_p50=$p50 accept_p99=$p99 non_202=${non2xx:-0}
  accepted=$total delivered=$delivered not_final=$pending delivered/s=$dps
  accept_to_delivered_p50=${d50}ms accept_to_delivered_p99=${d99}ms"
echo
echo "$summary"
echo "$summary" >>"$results"
