#!/usr/bin/env bash
# Provider benchmark, in the test profile against the local PostgreSQL and RabbitMQ:
#   smpp-provider:   submit_sm/s through the guarded SMPP provider alone (window 32, 64 in flight)
#                    against a local SMSC (jSMPP's server API, the tests' scripted SMSC), and every
#                    receipt stored (receipts_lost must be 0);
#   smpp-end-to-end: POST /v1/messages -> outbox -> quorum queue -> dispatcher -> SMPP -> receipt
#                    -> delivered, messages/s;
#   <twilio|wa|fcm>-provider: sends/s through each HTTP provider against WireMock;
#   <twilio|wa>-callbacks: signed status callbacks/s into Cascade, every one stored.
# Usage: bench/providers/run.sh [-Dbench.submits=20000] [-Dbench.window=32] [-Dbench.in-flight=64]
#          [-Dbench.receipt-workers=16] [-Dbench.messages=3000] [-Dbench.http-in-flight=16]
#          [-Dbench.http-sends=5000] [-Dbench.callbacks=5000]
# Prints the BENCH lines and appends them to bench/results/providers.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/local/services.sh
./mvnw -B -q test -Dtest='ProviderBench,HttpProviderBench' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dcascade.services.skip=true "$@" | grep '^BENCH ' || {
  echo "benchmark failed; see target/surefire-reports/io.cascade.bench.*.txt" >&2
  exit 1
}
