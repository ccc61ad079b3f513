#!/usr/bin/env bash
# Step timer benchmark, in the test profile against the local PostgreSQL and RabbitMQ: how late a
# step's timeout fires under load (StepTimerBench). SMS-then-WhatsApp messages with
# timeoutSeconds 5 to an SMSC number that never gets a receipt, at a steady rate, alongside as many
# SMS-only messages; lateness = WhatsApp attempt start - (SMS attempt end + 5 s), p50/p99/max.
# The step timer checks every 250 ms, as in production (the test profile's 200 ms is overridden).
# Usage: bench/steps/run.sh [-Dbench.step-messages=2000] [-Dbench.rate=50]
# Prints the BENCH line and appends it to bench/results/steps.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/local/services.sh
./mvnw -B -q test -Dtest='StepTimerBench' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dcascade.services.skip=true '-D%test.cascade.steps.check-interval=250ms' "$@" | grep '^BENCH ' || {
  echo "benchmark failed; see target/surefire-reports/io.cascade.bench.StepTimerBench.txt" >&2
  exit 1
}
