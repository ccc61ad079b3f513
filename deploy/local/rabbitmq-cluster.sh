#!/usr/bin/env bash
# A 3-node RabbitMQ cluster on this machine, on loopback, for failover tests and the chaos suite.
# It is separate from the default node on 5672, which it never touches.
#
#   deploy/local/rabbitmq-cluster.sh start            start r1..r3 and join them into one cluster
#   deploy/local/rabbitmq-cluster.sh stop             stop every node and delete the data
#   deploy/local/rabbitmq-cluster.sh kill N           kill -9 node rN
#   deploy/local/rabbitmq-cluster.sh freeze N         SIGSTOP node rN (it hangs, its sockets stay open)
#   deploy/local/rabbitmq-cluster.sh thaw N           SIGCONT node rN
#   deploy/local/rabbitmq-cluster.sh restart N        start a killed node rN again (it rejoins)
#   deploy/local/rabbitmq-cluster.sh status           running nodes and the cluster's view
#   deploy/local/rabbitmq-cluster.sh leader QUEUE [VHOST]   node hosting the quorum queue's leader
#   deploy/local/rabbitmq-cluster.sh addresses        the AMQP addresses, for CASCADE_RABBITMQ_ADDRESSES
#
# Nodes rN@localhost listen on AMQP port 570N and distribution port 2570N; data, logs and the
# shared Erlang cookie live under $CASCADE_CLUSTER_DIR (default /tmp/cascade-rabbitmq-cluster).
# net_ticktime is 5 s so that a frozen node is noticed in seconds (measured: ../shared/notes).
set -euo pipefail

sbin=$(ls -d /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin | tail -n 1)
base=${CASCADE_CLUSTER_DIR:-/tmp/cascade-rabbitmq-cluster}
nodes=(1 2 3)

log() { echo "[cluster] $*" >&2; }

node_env() {
  local n=$1 dir=$base/r$1
  export HOME=$base
  export RABBITMQ_NODENAME=r$n@localhost
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=570$n
  export RABBITMQ_DIST_PORT=2570$n
  export RABBITMQ_MNESIA_BASE=$dir/mnesia
  export RABBITMQ_LOG_BASE=$dir/log
  export RABBITMQ_PID_FILE=$dir/pid
  export RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf
  export RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config
  export RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins
  export RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq-env.conf
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

ctl() { local n=$1; shift; (node_env "$n"; "$sbin/rabbitmqctl" -n "r$n@localhost" "$@"); }

prepare() {
  mkdir -p "$base"
  if [ ! -f "$base/.erlang.cookie" ]; then
    head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20 >"$base/.erlang.cookie"
    chmod 400 "$base/.erlang.cookie"
  fi
  for n in "${nodes[@]}"; do
    local dir=$base/r$n
    mkdir -p "$dir/mnesia" "$dir/log"
    cat >"$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = 570$n
cluster_partition_handling = pause_minority
loopback_users = none
CONF
    echo '[{kernel, [{net_ticktime, 5}]}].' >"$dir/advanced.config"
    echo '[].' >"$dir/enabled_plugins"
    : >"$dir/rabbitmq-env.conf"
  done
}

# The node's Erlang VM, found by its environment (pid files go stale when a node is killed).
pid_of() {
  local p
  for p in $(pgrep -x beam.smp); do
    if { tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null | grep -qx "RABBITMQ_NODENAME=r$1@localhost"; then
      echo "$p"
      return
    fi
  done
}

start_node() {
  local n=$1
  (node_env "$n"; "$sbin/rabbitmq-server" -detached)
  # The node registers with epmd only after a while (longer after a kill: WAL replay).
  for _ in $(seq 1 90); do
    ctl "$n" -q await_startup --timeout 5 >/dev/null 2>&1 && break
    sleep 1
  done
  ctl "$n" -q await_startup --timeout 5 >/dev/null
  log "r$n@localhost up on 127.0.0.1:570$n (pid $(pid_of "$n"))"
}

case "${1:-}" in
  start)
    prepare
    for n in "${nodes[@]}"; do start_node "$n"; done
    for n in 2 3; do
      if ! ctl "$n" -q cluster_status 2>/dev/null | grep -q "r1@localhost"; then
        ctl "$n" -q stop_app
        ctl "$n" -q join_cluster r1@localhost
        ctl "$n" -q start_app
        log "r$n joined r1"
      fi
    done
    ctl 1 -q add_vhost cascade-test 2>/dev/null || true
    ctl 1 -q set_permissions -p cascade-test guest ".*" ".*" ".*"
    ;;
  stop)
    for n in "${nodes[@]}"; do
      pid=$(pid_of "$n")
      # The data is deleted below, so there is nothing to shut down cleanly.
      [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
    done
    rm -rf "$base"
    log "stopped"
    ;;
  kill) pid=$(pid_of "$2"); kill -9 "$pid"; log "killed r$2 (pid $pid)" ;;
  freeze) pid=$(pid_of "$2"); kill -STOP "$pid"; log "froze r$2 (pid $pid)" ;;
  thaw) pid=$(pid_of "$2"); kill -CONT "$pid"; log "thawed r$2 (pid $pid)" ;;
  restart) start_node "$2" ;;
  status)
    for n in "${nodes[@]}"; do
      pid=$(pid_of "$n")
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        state=$(ps -o stat= -p "$pid" | cut -c1)
        echo "r$n@localhost pid $pid $([ "$state" = T ] && echo frozen || echo running)"
      else
        echo "r$n@localhost down"
      fi
    done
    ;;
  leader)
    for n in "${nodes[@]}"; do
      if out=$(ctl "$n" -q list_queues -p "${3:-/}" name leader 2>/dev/null); then
        echo "$out" | awk -v q="$2" '$1 == q {print $2}'
        exit 0
      fi
    done
    exit 1
    ;;
  addresses) echo "127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703" ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
