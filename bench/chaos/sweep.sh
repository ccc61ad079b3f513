#!/usr/bin/env bash
# Chooses the broker client defaults from measurements: runs the chaos scenario each setting
# matters for with a few values of it, the others at their defaults, and appends the rows to
# bench/results/chaos-sweep.txt (docs/reliability.md discusses them).
#
#   heartbeat           -> connected-freeze (how soon a silent node is given up)
#   confirm timeout     -> connected-freeze (how soon the publisher leaves a node that stopped confirming)
#   connection timeout  -> connected-freeze (how long a reconnect may hang on the frozen node)
#   reconnect interval  -> connected-kill   (how soon connections move to a surviving node)
#
# Usage: bench/chaos/sweep.sh [--rate N] [--seconds N]   (default 100 msg/s for 40 s; ~25 min)
set -euo pipefail
cd "$(dirname "$0")/../.."

load=(--rate 100 --seconds 40)
[ $# -eq 0 ] || load=("$@")
export CHAOS_RESULTS=bench/results/chaos-sweep.txt CHAOS_REPORT=

run() { env "$@" bench/chaos/run.sh "${load[@]}" "${scenario}"; }

scenario=connected-freeze
for heartbeat in 5s 10s 20s; do
  run CASCADE_BROKER_HEARTBEAT=$heartbeat
done
run CASCADE_BROKER_CONFIRM_TIMEOUT=2s
run CASCADE_BROKER_CONNECTION_TIMEOUT=2s

scenario=connected-kill
for interval in 250ms 1s 3s; do
  run CASCADE_BROKER_RECONNECT_INTERVAL=$interval
done
