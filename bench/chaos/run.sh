#!/usr/bin/env bash
# Chaos suite: runs Cascade against a local 3-node RabbitMQ cluster under steady load, injects one
# fault per scenario and reports what happened to every accepted message.
#
# Usage: bench/chaos/run.sh [--rate N] [--seconds N] [scenario ...]
#   scenarios: leader-kill  connected-kill  connected-freeze  service-kill  postgres-restart
#   (default: all of them)
# Per scenario it prints and appends to bench/results/chaos.txt:
#   accepted, delivered, failed, expired, lost (accepted but not final after recovery),
#   duplicate provider submissions, API answers by status, RTO (longest gap between 202s) and
#   delivery RTO (longest gap between deliveries).
# CHAOS_KEEP=1 leaves the service and the cluster running afterwards, to inspect a bad run.
set -euo pipefail
cd "$(dirname "$0")/../.."

rate=100
seconds=40
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --rate) rate=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(leader-kill connected-kill connected-freeze service-kill postgres-restart)

port=${CHAOS_PORT:-8091}
base="http://127.0.0.1:$port"
token="chaos-$RANDOM$RANDOM"
cluster=deploy/local/rabbitmq-cluster.sh
results=${CHAOS_RESULTS:-bench/results/chaos.txt}
work=target/chaos
mkdir -p "$work"

deploy/local/services.sh
jar=target/quarkus-app/quarkus-run.jar
if [ ! -f "$jar" ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit)" ]; then
  ./mvnw -B -q package -DskipTests
fi
$cluster stop >/dev/null 2>&1 || true
$cluster start

service=""
start_service() {
  PORT=$port CASCADE_ADMIN_TOKEN=$token CASCADE_SIMULATOR_LATENCY_MS=0 \
    CASCADE_RABBITMQ_ADDRESSES=$($cluster addresses) \
    java ${JAVA_OPTS:-} -jar "$jar" >>"$work/service.log" 2>&1 &
  service=$!
  for _ in $(seq 1 60); do
    curl -fs "$base/q/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "service did not become ready" >&2
  return 1
}
stop_service() { [ -n "$service" ] && kill "$service" 2>/dev/null && wait "$service" 2>/dev/null || true; }
# CHAOS_KEEP=1 leaves the service and the cluster running afterwards, to inspect a bad run.
if [ "${CHAOS_KEEP:-0}" != "1" ]; then
  trap 'stop_service; $cluster stop >/dev/null 2>&1 || true' EXIT
fi
start_service

# Warm up the JIT and the pools first, so the first scenario measures failover, not a cold start.
warmup=$(curl -fs -X POST "$base/admin/v1/tenants" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d '{"name":"chaos-warmup"}')
java bench/chaos/LoadGen.java "$base" "$(echo "$warmup" | sed -E 's/.*"apiKey":"([^"]+)".*/\1/')" \
  "$rate" 10 "$work/warmup.csv" >/dev/null 2>&1
sleep 3

psql_q() { psql -h 127.0.0.1 -U cascade -d cascade -qtA -c "$1"; }
connected_node() {
  grep "publisher connected to" "$work/service.log" | tail -n 1 | sed -E 's/.*127\.0\.0\.1:570([0-9]).*/\1/'
}
leader_node() { $cluster leader cascade.dispatch | sed -E 's/r([0-9])@.*/\1/'; }

inject() {
  case $1 in
    leader-kill) n=$(leader_node); $cluster kill "$n"; sleep 20; $cluster restart "$n" ;;
    connected-kill) n=$(connected_node); $cluster kill "$n"; sleep 20; $cluster restart "$n" ;;
    connected-freeze) n=$(connected_node); $cluster freeze "$n"; sleep 30; $cluster thaw "$n" ;;
    service-kill) kill -9 "$service"; sleep 1; start_service ;;
    postgres-restart) pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main restart ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
  esac
}

for scenario in "${scenarios[@]}"; do
  echo "=== $scenario: $rate msg/s for $seconds s, fault at $((seconds / 4)) s"
  tenant=$(curl -fs -X POST "$base/admin/v1/tenants" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "{\"name\":\"chaos-$scenario\"}")
  key=$(echo "$tenant" | sed -E 's/.*"apiKey":"([^"]+)".*/\1/')
  tenant_id=$(echo "$tenant" | sed -E 's/.*"id":"([^"]+)".*/\1/')
  java bench/chaos/LoadGen.java "$base" "$key" "$rate" "$seconds" "$work/$scenario.csv" \
    >"$work/$scenario.load" 2>&1 &
  load=$!
  sleep $((seconds / 4))
  inject "$scenario"
  wait "$load"
  load_summary=$(cat "$work/$scenario.load")

  # Recovery: give every accepted message up to two minutes to reach a final state.
  for _ in $(seq 1 120); do
    pending=$(psql_q "SELECT count(*) FROM message WHERE tenant_id = '$tenant_id'
      AND status IN ('ACCEPTED', 'SENDING')")
    [ "$pending" = "0" ] && break
    sleep 1
  done
  accepted_ids=$(awk -F, '$3 == 202 {print $4}' "$work/$scenario.csv" | sort -u | wc -l)
  stats=$(psql_q "SELECT
      count(*) FILTER (WHERE status IN ('DELIVERED', 'SENT')),
      count(*) FILTER (WHERE status = 'FAILED'),
      count(*) FILTER (WHERE status = 'EXPIRED'),
      count(*) FILTER (WHERE status IN ('ACCEPTED', 'SENDING'))
    FROM message WHERE tenant_id = '$tenant_id'")
  IFS='|' read -r delivered failed expired not_final <<<"$stats"
  stored=$(psql_q "SELECT count(*) FROM message WHERE tenant_id = '$tenant_id'")
  missing=$((accepted_ids > stored ? accepted_ids - stored : 0))
  lost=$((not_final + missing))
  duplicates=$(psql_q "SELECT count(*) FROM attempt a JOIN message m ON m.id = a.message_id
    WHERE m.tenant_id = '$tenant_id' AND a.status IN ('INTERRUPTED')")
  delivery_rto=$(psql_q "SELECT coalesce(round(max(gap) * 1000), 0) FROM (
      SELECT extract(epoch FROM ended_at - lag(ended_at) OVER (ORDER BY ended_at)) AS gap
      FROM attempt a JOIN message m ON m.id = a.message_id
      WHERE m.tenant_id = '$tenant_id' AND a.status = 'DELIVERED') gaps")
  row="$(date -u +%Y-%m-%dT%H:%MZ) commit=$(git rev-parse --short HEAD 2>/dev/null || echo none) $scenario rate=$rate seconds=$seconds $load_summary
  delivered=$delivered failed=$failed expired=$expired lost=$lost interrupted_attempts=$duplicates delivery_rto_ms=$delivery_rto"
  echo "$row"
  echo "$row" >>"$results"
done
