#!/usr/bin/env bash
# Chaos suite: runs Cascade against a local 3-node RabbitMQ cluster under steady load, injects one
# fault per scenario and reports what happened to every accepted message.
#
# Usage: bench/chaos/run.sh [--rate N] [--seconds N] [scenario ...]
#   scenarios: leader-kill  connected-kill  connected-freeze  service-kill  service-restart
#              postgres-restart  providers-down   (default: all of them)
#   service-restart stops the service gracefully (SIGTERM: it finishes the sends in hand) and
#   starts it again; service-kill does it with kill -9.
#   majority-kill kills the queue leader's node and one more for 30 s (the third pauses: no
#   majority), all-nodes-kill all three for 30 s; both then restart them; not in the default list.
#   pg-primary-kill (the primary's host lost: its Patroni and PostgreSQL killed, back 20 s later)
#   and pg-primary-crash (the primary's PostgreSQL killed, its Patroni stays) run the whole run
#   on the highly available database of deploy/local/pg-cluster.sh (3 nodes, synchronous
#   replication, HAProxy on 5440) instead of the machine's PostgreSQL; not in the default list.
#   replica-kill (kill -9 of one of three service replicas, started again 10 s later),
#   replica-freeze (SIGSTOP of one of three for 30 s, then SIGCONT) and rolling-restart (two
#   replicas stopped with SIGTERM and started again one after the other) run the replicas behind
#   an HAProxy load balancer (health checks on readiness, retries of requests a replica did not
#   answer; the load sends an Idempotency-Key with every request, so a retry never makes a second
#   message); not in the default list. CHAOS_SERVICES=N runs any scenario on N replicas.
# Per scenario it prints one row and appends it to bench/results/chaos.txt: accepted, delivered,
# failed, expired, lost (accepted but not final after recovery), interrupted attempts (sends whose
# outcome was unknown at a crash: the only possible duplicate provider submissions), duplicate
# deliveries, API answers by status, RTO (longest gap between 202s) and delivery RTO (longest gap
# between deliveries), with the broker settings used and the machine. Then it rewrites the results
# table of docs/reliability.md from the newest row of each scenario (bench/chaos/Report.java).
#
# Environment: CASCADE_BROKER_HEARTBEAT, CASCADE_BROKER_RECONNECT_INTERVAL,
# CASCADE_BROKER_CONFIRM_TIMEOUT, CASCADE_BROKER_CONNECTION_TIMEOUT, CASCADE_DISPATCH_CONSUMERS,
# CASCADE_DRAIN_TIMEOUT
# (service settings, defaults as in application.properties); CASCADE_SIMULATOR_LATENCY_MS
# (provider answer time, 20 ms); CHAOS_RESULTS (rows file); CHAOS_REPORT (document to rewrite;
# empty: none); CHAOS_KEEP=1 leaves the service and the cluster running afterwards, to inspect a
# bad run.
set -euo pipefail
# The benchmark tenant sends as fast as it can: its rate limit must not be what is measured.
export CASCADE_LIMITS_MESSAGES_PER_SECOND=${CASCADE_LIMITS_MESSAGES_PER_SECOND:-1000000}
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
[ ${#scenarios[@]} -gt 0 ] || scenarios=(leader-kill connected-kill connected-freeze service-kill
  service-restart postgres-restart providers-down)

# The settings under test, passed to the service explicitly so that every row can name them.
export CASCADE_BROKER_HEARTBEAT=${CASCADE_BROKER_HEARTBEAT:-10s}
export CASCADE_BROKER_RECONNECT_INTERVAL=${CASCADE_BROKER_RECONNECT_INTERVAL:-1s}
export CASCADE_BROKER_CONFIRM_TIMEOUT=${CASCADE_BROKER_CONFIRM_TIMEOUT:-5s}
export CASCADE_BROKER_CONNECTION_TIMEOUT=${CASCADE_BROKER_CONNECTION_TIMEOUT:-5s}
export CASCADE_DISPATCH_CONSUMERS=${CASCADE_DISPATCH_CONSUMERS:-2}
export CASCADE_DRAIN_TIMEOUT=${CASCADE_DRAIN_TIMEOUT:-20s}
# Providers answer after 20 ms, so that a crash catches some sends in flight.
export CASCADE_SIMULATOR_LATENCY_MS=${CASCADE_SIMULATOR_LATENCY_MS:-20}
replicas=3
# Service replicas: one, unless a scenario is about replicas.
services=${CHAOS_SERVICES:-1}
for scenario in "${scenarios[@]}"; do
  case $scenario in
    replica-kill | replica-freeze) [ "${CHAOS_SERVICES:-}" ] || services=3 ;;
    rolling-restart) [ "${CHAOS_SERVICES:-}" ] || [ "$services" -ge 2 ] || services=2 ;;
  esac
done
if [ "$services" -gt 1 ]; then
  # Readiness answers DOWN this long before a stopping replica closes its HTTP server, so that the
  # load balancer (checking every 500 ms) sends it nothing more.
  export CASCADE_SHUTDOWN_DELAY=${CASCADE_SHUTDOWN_DELAY:-2s}
  # Every replica's pool fits in the database's connections (100 here, a few kept for psql).
  export CASCADE_DB_POOL_SIZE=${CASCADE_DB_POOL_SIZE:-$((80 / services))}
fi
settings="heartbeat=$CASCADE_BROKER_HEARTBEAT reconnect=$CASCADE_BROKER_RECONNECT_INTERVAL"
settings+=" confirm_timeout=$CASCADE_BROKER_CONFIRM_TIMEOUT connect_timeout=$CASCADE_BROKER_CONNECTION_TIMEOUT"
settings+=" replicas=$replicas consumers=$CASCADE_DISPATCH_CONSUMERS provider_ms=$CASCADE_SIMULATOR_LATENCY_MS"
settings+=" drain_timeout=$CASCADE_DRAIN_TIMEOUT services=$services db_pool=${CASCADE_DB_POOL_SIZE:-40}"
machine="$(nproc)cpu/$(free -g | awk '/^Mem:/ {print $2}')GiB/$(. /etc/os-release && echo "$ID$VERSION_ID")"
machine+="/java$(java -XshowSettings:properties -version 2>&1 | awk '/java.specification.version/ {print $3}')"
machine+="/rabbitmq$(ls -d /usr/lib/rabbitmq/lib/rabbitmq_server-* | tail -n 1 | sed 's/.*-//')"

port=${CHAOS_PORT:-8091}
base="http://127.0.0.1:$port" # the service, or the load balancer in front of the replicas
# Replica i listens on service_port i (the load balancer's port when there is one replica) and
# answers health and metrics 1000 ports above.
service_port() { if [ "$services" -eq 1 ]; then echo "$port"; else echo $((port + 10 + $1)); fi; }
token="chaos-$RANDOM$RANDOM"
cluster=deploy/local/rabbitmq-cluster.sh
results=${CHAOS_RESULTS:-bench/results/chaos.txt}
report=${CHAOS_REPORT-docs/reliability.md}
work=target/chaos
mkdir -p "$work"

deploy/local/services.sh
pg_cluster=deploy/local/pg-cluster.sh
database=single
for scenario in "${scenarios[@]}"; do [[ $scenario == pg-* ]] && database=ha; done
if [ "$database" = ha ]; then
  $pg_cluster stop >/dev/null 2>&1 || true
  $pg_cluster start >/dev/null
  export CASCADE_DB_PORT=$($pg_cluster port)
fi
export CASCADE_DB_PORT=${CASCADE_DB_PORT:-5432}
settings+=" database=$database"
# A fresh database for every run: results never depend on what earlier runs left behind.
export CASCADE_DB_NAME=cascade_chaos
psql -h 127.0.0.1 -p "$CASCADE_DB_PORT" -U postgres -qc "DROP DATABASE IF EXISTS $CASCADE_DB_NAME (FORCE)" \
  -c "CREATE DATABASE $CASCADE_DB_NAME OWNER cascade"
jar=target/quarkus-app/quarkus-run.jar
if [ ! -f "$jar" ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit)" ]; then
  ./mvnw -B -q package -DskipTests
fi
$cluster stop >/dev/null 2>&1 || true
$cluster start

pids=()
# Starts replica $1 (default 0), its log lines prefixed with its number, and waits until it is ready.
start_service() {
  local i=${1:-0} http
  http=$(service_port "$i")
  PORT=$http MANAGEMENT_PORT=$((http + 1000)) CASCADE_ADMIN_TOKEN=$token \
    CASCADE_RABBITMQ_ADDRESSES=$($cluster addresses) \
    java ${JAVA_OPTS:-} -jar "$jar" > >(sed -u "s/^/[s$i] /" >>"$work/service.log") 2>&1 &
  pids[$i]=$!
  for _ in $(seq 1 240); do
    curl -fs "http://127.0.0.1:$((http + 1000))/q/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "service $i did not become ready" >&2
  return 1
}
stop_service() {
  for pid in "${pids[@]}"; do kill -CONT "$pid" 2>/dev/null; kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -f "$work/haproxy.pid" ] && kill "$(cat "$work/haproxy.pid")" 2>/dev/null || true
}
# In front of several replicas: round robin over the ready ones (readiness checked every 500 ms,
# down after three failed checks: a loaded replica answers its probe late),
# and a request a replica did not answer (connection refused or reset, no answer in 5 s, a 5xx)
# is sent to another one. Safe for POSTs here: each carries an Idempotency-Key.
start_balancer() {
  command -v haproxy >/dev/null || { apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; }
  {
    printf '%s\n' global '  maxconn 2000' defaults '  mode http' '  timeout connect 1s' \
      '  timeout client 30s' '  timeout server 5s' '  timeout check 2s' '  retries 3' \
      '  option redispatch 1' '  retry-on all-retryable-errors' \
      frontend\ api "  bind 127.0.0.1:$port" '  default_backend replicas' backend\ replicas \
      '  balance roundrobin' '  option httpchk GET /q/health/ready' '  http-check expect status 200' \
      '  default-server inter 500ms fall 3 rise 2'
    for i in $(seq 0 $((services - 1))); do
      echo "  server s$i 127.0.0.1:$(service_port "$i") check port $(($(service_port "$i") + 1000))"
    done
  } >"$work/haproxy.cfg"
  haproxy -D -f "$work/haproxy.cfg" -p "$work/haproxy.pid"
}
# CHAOS_KEEP=1 leaves the service and the cluster running afterwards, to inspect a bad run.
if [ "${CHAOS_KEEP:-0}" != "1" ]; then
  # The broker logs go with the cluster's data: keep a copy for a look at a bad run.
  logs="$work/broker-logs/$(date -u +%Y%m%dT%H%M%S)"
  trap 'stop_service; mkdir -p "$logs"
    cp -r "${CASCADE_CLUSTER_DIR:-/tmp/cascade-rabbitmq-cluster}"/r* "$logs/" 2>/dev/null
    rm -rf "$logs"/r*/mnesia; $cluster stop >/dev/null 2>&1 || true
    [ "$database" = ha ] && { cp -r "${CASCADE_PG_CLUSTER_DIR:-/tmp/cascade-pg-cluster}"/p*-log "$logs/" 2>/dev/null
      $pg_cluster stop >/dev/null 2>&1; } || true' EXIT
fi
for i in $(seq 0 $((services - 1))); do start_service "$i"; done
if [ "$services" -gt 1 ]; then start_balancer; sleep 2; fi

# Warm up the JIT and the pools first, so the first scenario measures failover, not a cold start.
warmup=$(curl -fs -X POST "$base/admin/v1/tenants" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d '{"name":"chaos-warmup"}')
java bench/chaos/LoadGen.java "$base" "$(echo "$warmup" | sed -E 's/.*"apiKey":"([^"]+)".*/\1/')" \
  "$rate" 10 "$work/warmup.csv" >/dev/null 2>&1
sleep 3

psql_q() { psql -h 127.0.0.1 -p "$CASCADE_DB_PORT" -U cascade -d "$CASCADE_DB_NAME" -qtA -c "$1"; }
connected_node() {
  grep "publisher connected to" "$work/service.log" | tail -n 1 | sed -E 's/.*127\.0\.0\.1:570([0-9]).*/\1/'
}
leader_node() { $cluster leader cascade.dispatch | sed -E 's/r([0-9])@.*/\1/'; }

# Switches every channel's simulator (the provider of every channel) to one mode, in every replica.
simulators() {
  for i in $(seq 0 $((services - 1))); do
    for channel in sms whatsapp push email voice; do
      curl -fs -X PUT "http://127.0.0.1:$(service_port "$i")/admin/v1/simulator/$channel" \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "{\"mode\":\"$1\",\"latencyMs\":$CASCADE_SIMULATOR_LATENCY_MS}"
    done
  done
}

# Waits until one of these cluster nodes accepts AMQP connections (at most 2 minutes).
listening() {
  for _ in $(seq 1 1200); do
    for n in "$@"; do (exec 3<>"/dev/tcp/127.0.0.1/570$n") 2>/dev/null && return 0; done
    sleep 0.1
  done
}

inject() {
  case $1 in
    leader-kill) n=$(leader_node); $cluster kill "$n"; sleep 20; $cluster restart "$n" ;;
    # The broker is back when a restarted node opens its AMQP port (it boots only once a
    # majority is up): returned_at, for the row.
    majority-kill) n=$(leader_node); m=$((n % 3 + 1)); $cluster kill "$n"; $cluster kill "$m"
      sleep 30; $cluster restart "$n" & first=$!; $cluster restart "$m" & second=$!
      listening "$n" "$m"; returned_at=$(date +%s.%N); wait "$first" "$second" ;;
    all-nodes-kill) for n in 1 2 3; do $cluster kill "$n"; done
      # Together: a node started alone after a full stop waits for its peers' tables.
      sleep 30; $cluster restart 1 & first=$!; $cluster restart 2 & second=$!
      $cluster restart 3 & third=$!
      listening 1 2 3; returned_at=$(date +%s.%N); wait "$first" "$second" "$third" ;;
    connected-kill) n=$(connected_node); $cluster kill "$n"; sleep 20; $cluster restart "$n" ;;
    connected-freeze) n=$(connected_node); $cluster freeze "$n"; sleep 30; $cluster thaw "$n" ;;
    service-kill) kill -9 "${pids[0]}"; sleep 1; start_service 0 ;;
    service-restart) kill -TERM "${pids[0]}"; wait "${pids[0]}" || true; start_service 0 ;;
    replica-kill) kill -9 "${pids[0]}"; sleep 10; start_service 0 ;;
    replica-freeze) kill -STOP "${pids[0]}"; sleep 30; kill -CONT "${pids[0]}" ;;
    rolling-restart) for i in $(seq 0 $((services - 1))); do
        kill -TERM "${pids[$i]}"; wait "${pids[$i]}" || true; start_service "$i"; sleep 2
      done ;;
    pg-primary-kill) n=$($pg_cluster primary); $pg_cluster kill "$n"; sleep 20; $pg_cluster restart "$n" ;;
    pg-primary-crash) n=$($pg_cluster primary); $pg_cluster crash "$n"; sleep 20 ;;
    postgres-restart) pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main restart ;;
    providers-down) simulators fail; sleep 30; simulators ok ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
  esac
}

for scenario in "${scenarios[@]}"; do
  echo "=== $scenario: $rate msg/s for $seconds s, fault at $((seconds / 4)) s"
  tenant=$(curl -fs -X POST "$base/admin/v1/tenants" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "{\"name\":\"chaos-$scenario\"}")
  key=$(echo "$tenant" | sed -E 's/.*"apiKey":"([^"]+)".*/\1/')
  tenant_id=$(echo "$tenant" | sed -E 's/.*"id":"([^"]+)".*/\1/')
  log_start=$(wc -l <"$work/service.log")
  java bench/chaos/LoadGen.java "$base" "$key" "$rate" "$seconds" "$work/$scenario.csv" \
    >"$work/$scenario.load" 2>&1 &
  load=$!
  sleep $((seconds / 4))
  returned_at=""
  inject "$scenario"
  wait "$load"
  load_summary=$(cat "$work/$scenario.load")

  # Recovery: give every accepted message up to three minutes to reach a final state, longer than
  # the stall watchdog needs (60 s limit, checked every 15 s) to bring back a stranded one.
  for _ in $(seq 1 180); do
    pending=$(psql_q "SELECT count(*) FROM message WHERE tenant_id = '$tenant_id'
      AND status IN ('ACCEPTED', 'SENDING', 'WAITING')")
    [ "$pending" = "0" ] && break
    sleep 1
  done
  accepted_ids=$(awk -F, '$3 == 202 {print $4}' "$work/$scenario.csv" | sort -u | wc -l)
  stats=$(psql_q "SELECT
      count(*) FILTER (WHERE status IN ('DELIVERED', 'SENT')),
      count(*) FILTER (WHERE status = 'FAILED'),
      count(*) FILTER (WHERE status = 'EXPIRED'),
      count(*) FILTER (WHERE status IN ('ACCEPTED', 'SENDING', 'WAITING'))
    FROM message WHERE tenant_id = '$tenant_id'")
  IFS='|' read -r delivered failed expired not_final <<<"$stats"
  stored=$(psql_q "SELECT count(*) FROM message WHERE tenant_id = '$tenant_id'")
  missing=$((accepted_ids > stored ? accepted_ids - stored : 0))
  lost=$((not_final + missing))
  interrupted=$(psql_q "SELECT count(*) FROM attempt a JOIN message m ON m.id = a.message_id
    WHERE m.tenant_id = '$tenant_id' AND a.status = 'INTERRUPTED'")
  duplicate_deliveries=$(psql_q "SELECT count(*) FROM (SELECT a.message_id FROM attempt a
      JOIN message m ON m.id = a.message_id
      WHERE m.tenant_id = '$tenant_id' AND a.status IN ('DELIVERED', 'SENT')
      GROUP BY a.message_id HAVING count(*) > 1) twice")
  # Messages the broker confirmed but never delivered, brought back by the stall watchdog (passed
  # on their queue by later ones, or untouched past the stall limit).
  redriven=$(tail -n +"$((log_start + 1))" "$work/service.log" |
    sed -nE 's/.* ([0-9]+) message\(s\) (untouched by any dispatcher|passed on their queue).*/\1/p' |
    awk '{n += $1} END {print n + 0}')
  recycles=$(tail -n +"$((log_start + 1))" "$work/service.log" | grep -c 'reconnects: no delivery for' || true)
  # Gaps between deliveries while the load ran; stragglers after it show in max_latency_ms.
  load_end=$(awk -F, 'NR > 1 && $2 > max {max = $2} END {printf "%.3f", max / 1000}' "$work/$scenario.csv")
  delivery_rto=$(psql_q "SELECT coalesce(round(max(gap) * 1000), 0) FROM (
      SELECT extract(epoch FROM ended_at - lag(ended_at) OVER (ORDER BY ended_at)) AS gap
      FROM attempt a JOIN message m ON m.id = a.message_id
      WHERE m.tenant_id = '$tenant_id' AND a.status = 'DELIVERED'
        AND a.ended_at <= to_timestamp($load_end)) gaps")
  max_latency=$(psql_q "SELECT coalesce(round(extract(epoch FROM max(m.updated_at - m.created_at)) * 1000), 0)
      FROM message m WHERE m.tenant_id = '$tenant_id' AND m.status IN ('DELIVERED', 'SENT')")
  p99_latency=$(psql_q "SELECT coalesce(round(extract(epoch FROM percentile_cont(0.99) WITHIN GROUP
      (ORDER BY m.updated_at - m.created_at)) * 1000), 0)
      FROM message m WHERE m.tenant_id = '$tenant_id' AND m.status IN ('DELIVERED', 'SENT')")
  row="$(date -u +%Y-%m-%dT%H:%MZ) commit=$(git rev-parse --short HEAD 2>/dev/null || echo none)"
  row+=" scenario=$scenario rate=$rate seconds=$seconds $load_summary delivered=$delivered"
  row+=" failed=$failed expired=$expired lost=$lost interrupted_attempts=$interrupted"
  row+=" duplicate_deliveries=$duplicate_deliveries redriven=$redriven consumer_recycles=$recycles delivery_rto_ms=$delivery_rto"
  # After a broker outage: from the nodes being up again to the first delivery after that.
  resumed="-"
  if [ -n "$returned_at" ]; then
    resumed=$(psql_q "SELECT coalesce(round((extract(epoch FROM min(a.ended_at)) - $returned_at) * 1000), -1)
      FROM attempt a JOIN message m ON m.id = a.message_id
      WHERE m.tenant_id = '$tenant_id' AND a.status = 'DELIVERED' AND a.ended_at > to_timestamp($returned_at)")
  fi
  row+=" p99_latency_ms=$p99_latency max_latency_ms=$max_latency delivery_after_return_ms=$resumed $settings machine=$machine"
  echo "$row"
  echo "$row" >>"$results"
done

if [ -n "$report" ]; then
  java bench/chaos/Report.java "$results" "$report"
fi
