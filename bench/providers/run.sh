#!/usr/bin/env bash
# Provider benchmark: SMPP throughput against a local SMSC (jSMPP's server API, the same scripted
# SMSC as the tests), in the test profile against the local PostgreSQL and RabbitMQ.
#   smpp-provider:   submit_sm/s through the guarded SMPP provider alone (window 32, 64 in flight),
#                    and every receipt stored (receipts_lost must be 0).
#   smpp-end-to-end: POST /v1/messages -> outbox -> quorum queue -> dispatcher -> SMPP -> receipt
#                    -> delivered, messages/s.
# Usage: bench/providers/run.sh [-Dbench.submits=20000] [-Dbench.window=32] [-Dbench.in-flight=64]
#                               [-Dbench.messages=3000] [-Dbench.http-clients=8]
# Prints the BENCH lines and appends them to bench/results/providers.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/local/services.sh
./mvnw -B -q test -Dtest=ProviderBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dcascade.services.skip=true "$@" | grep '^BENCH ' || {
  echo "benchmark failed; see target/surefire-reports/io.cascade.bench.ProviderBench.txt" >&2
  exit 1
}
