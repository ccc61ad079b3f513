#!/usr/bin/env bash
# A highly available PostgreSQL 15 on this machine, on loopback, for failover tests and the chaos
# suite: three nodes managed by Patroni (synchronous replication: a commit is on a standby before
# it is acknowledged), one etcd as Patroni's store, and HAProxy in front that sends connections to
# whichever node Patroni's REST API says is the primary. The machine's own PostgreSQL on 5432 is
# never touched.
#
#   deploy/local/pg-cluster.sh start          start etcd, p1..p3 and HAProxy; wait for a primary
#   deploy/local/pg-cluster.sh stop           stop everything and delete the data
#   deploy/local/pg-cluster.sh kill N         kill -9 node pN: its Patroni and its PostgreSQL (a lost host)
#   deploy/local/pg-cluster.sh crash N        kill -9 pN's PostgreSQL only (its Patroni stays)
#   deploy/local/pg-cluster.sh restart N      start a killed node pN again (it rejoins as a standby)
#   deploy/local/pg-cluster.sh status         the members, their roles and lag (patronictl list)
#   deploy/local/pg-cluster.sh primary        the number N of the node that is primary now
#   deploy/local/pg-cluster.sh port           the port the service connects to (HAProxy: 5440)
#
# Nodes pN: PostgreSQL on 544N, Patroni REST API on 844N; etcd on 2479/2480; HAProxy on 5440.
# Data and logs under $CASCADE_PG_CLUSTER_DIR (default /tmp/cascade-pg-cluster), owned by the
# postgres user. Failure detection is tuned for seconds (docs/reliability.md#database-failover):
# leader key TTL 6 s, loop 1 s, HAProxy checks every 500 ms.
# Installs patroni, etcd-server and haproxy with apt-get if missing.
set -euo pipefail

base=${CASCADE_PG_CLUSTER_DIR:-/tmp/cascade-pg-cluster}
nodes=(1 2 3)
bin=/usr/lib/postgresql/15/bin
proxy_port=5440

log() { echo "[pg-cluster] $*" >&2; }
as_postgres() { runuser -u postgres -- "$@"; }

install_if_missing() {
  local need=()
  command -v patroni >/dev/null || need+=(patroni)
  command -v etcd >/dev/null || need+=(etcd-server)
  command -v haproxy >/dev/null || need+=(haproxy)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

node_config() {
  local n=$1
  cat <<YAML
scope: cascade
name: p$n
log:
  dir: $base/p$n-log
restapi:
  listen: 127.0.0.1:844$n
  connect_address: 127.0.0.1:844$n
etcd3:
  hosts: 127.0.0.1:2479
bootstrap:
  dcs:
    # A lost primary's leader key expires after ttl; the standbys check every loop_wait.
    ttl: 6
    loop_wait: 1
    retry_timeout: 2
    maximum_lag_on_failover: 1048576
    # A crashed PostgreSQL under a living Patroni fails over at once instead of being restarted
    # in place (safe: with synchronous replication the standby has every commit).
    primary_start_timeout: 0
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        max_connections: 200
        max_wal_senders: 10
        max_replication_slots: 10
        wal_log_hints: "on"
        wal_keep_size: 256MB
  initdb:
    - encoding: UTF8
    - data-checksums
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 trust
    - host all all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:544$n
  connect_address: 127.0.0.1:544$n
  data_dir: $base/p$n
  bin_dir: $bin
  pgpass: $base/pgpass$n
  authentication:
    replication:
      username: replicator
      password: replicator
    superuser:
      username: postgres
      password: postgres
    rewind:
      username: rewinder
      password: rewinder
  parameters:
    unix_socket_directories: $base
YAML
}

haproxy_config() {
  cat <<CFG
global
  maxconn 1000
defaults
  mode tcp
  timeout connect 2s
  timeout client 30m
  timeout server 30m
  timeout check 1s
listen primary
  bind 127.0.0.1:$proxy_port
  option httpchk GET /primary
  http-check expect status 200
  # Checked every 500 ms; a node that stops being primary has its connections cut at once, so
  # the service's pool reconnects to the new one instead of writing into a standby.
  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
CFG
  for n in "${nodes[@]}"; do
    echo "  server p$n 127.0.0.1:544$n maxconn 200 check port 844$n"
  done
}

start_node() {
  local n=$1
  mkdir -p "$base/p$n-log"
  chown postgres: "$base/p$n-log"
  as_postgres bash -c "nohup patroni '$base/p$n.yml' >>'$base/p$n-log/patroni.out' 2>&1 & echo \$! >'$base/p$n.pid'"
}

primary() {
  for n in "${nodes[@]}"; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:844$n/primary")" = "200" ]; then
      echo "$n"
      return 0
    fi
  done
  return 1
}

start() {
  install_if_missing
  mkdir -p "$base"
  chown postgres: "$base"
  as_postgres bash -c "nohup etcd --name cascade-etcd --data-dir '$base/etcd' \
    --listen-client-urls http://127.0.0.1:2479 --advertise-client-urls http://127.0.0.1:2479 \
    --listen-peer-urls http://127.0.0.1:2480 --initial-advertise-peer-urls http://127.0.0.1:2480 \
    --initial-cluster cascade-etcd=http://127.0.0.1:2480 \
    >>'$base/etcd.log' 2>&1 & echo \$! >'$base/etcd.pid'"
  for _ in $(seq 1 50); do
    curl -fs http://127.0.0.1:2479/health >/dev/null 2>&1 && break
    sleep 0.2
  done
  for n in "${nodes[@]}"; do
    node_config "$n" >"$base/p$n.yml"
    chown postgres: "$base/p$n.yml"
  done
  # The first node bootstraps the cluster; the others clone it once it is primary.
  start_node 1
  for _ in $(seq 1 120); do primary >/dev/null && break; sleep 0.5; done
  primary >/dev/null || { log "no primary after 60 s"; tail -n 30 "$base/p1-log/patroni.out" >&2; exit 1; }
  start_node 2
  start_node 3
  haproxy_config >"$base/haproxy.cfg"
  haproxy -D -f "$base/haproxy.cfg" -p "$base/haproxy.pid"
  for _ in $(seq 1 120); do
    [ "$(as_postgres patronictl -c "$base/p1.yml" list -f json 2>/dev/null |
      grep -o '"State": "\(streaming\|running\)"' | wc -l)" -ge 3 ] && break
    sleep 0.5
  done
  local psql=(psql -h 127.0.0.1 -p "$proxy_port" -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'cascade'")" != "1" ]; then
    "${psql[@]}" -c "CREATE ROLE cascade LOGIN"
  fi
  for db in cascade cascade_chaos; do
    if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
      "${psql[@]}" -c "CREATE DATABASE $db OWNER cascade"
    fi
  done
  log "primary is p$(primary); the service connects to 127.0.0.1:$proxy_port"
  status
}

kill_pid_file() {
  local file=$1
  [ -f "$file" ] && kill -9 "$(cat "$file")" 2>/dev/null || true
}

postmaster_pid() { head -n 1 "$base/p$1/postmaster.pid" 2>/dev/null || true; }

kill_node() {
  local n=$1 pg
  pg=$(postmaster_pid "$n")
  kill_pid_file "$base/p$n.pid"
  [ -n "$pg" ] && kill -9 "$pg" 2>/dev/null || true
  # The postmaster's children die with it once their parent is gone; make sure at once.
  pkill -9 -f "$bin/postgres -D $base/p$n" 2>/dev/null || true
  log "killed p$n"
}

stop() {
  [ -f "$base/haproxy.pid" ] && kill "$(cat "$base/haproxy.pid")" 2>/dev/null || true
  for n in "${nodes[@]}"; do kill_node "$n" >/dev/null 2>&1; done
  kill_pid_file "$base/etcd.pid"
  sleep 0.5
  rm -rf "$base"
  log "stopped"
}

status() { as_postgres patronictl -c "$base/p1.yml" list; }

case ${1:-} in
  start) start ;;
  stop) stop ;;
  kill) kill_node "$2" ;;
  crash) kill -9 "$(postmaster_pid "$2")"; log "killed p$2's PostgreSQL" ;;
  restart) start_node "$2"; log "started p$2" ;;
  status) status ;;
  primary) primary ;;
  port) echo "$proxy_port" ;;
  *) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
