#!/usr/bin/env bash
# Runs Cascade on this machine against the local PostgreSQL and RabbitMQ (started and prepared by
# services.sh), building the jar first when the sources changed. Configuration comes from the
# environment, e.g. CASCADE_ADMIN_TOKEN (enables the admin API), PORT (the API, 8080),
# MANAGEMENT_PORT (health and metrics, 9000), CASCADE_DB_*, CASCADE_RABBITMQ_*,
# CASCADE_WEBHOOKS_SECRET_KEYS (seals webhook secrets at rest; unset here: stored unsealed);
# see the README's configuration reference.
set -euo pipefail
cd "$(dirname "$0")/../.."

deploy/local/services.sh
jar=target/quarkus-app/quarkus-run.jar
if [ ! -f "$jar" ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit)" ]; then
  ./mvnw -B -q package -DskipTests
fi
exec java ${JAVA_OPTS:-} -jar "$jar"
