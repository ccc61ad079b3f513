#!/usr/bin/env bash
# Makes sure the local PostgreSQL and RabbitMQ are running and hold what Cascade needs:
#   - PostgreSQL role "cascade" (trust auth on loopback) owning databases "cascade" and "cascade_test";
#   - RabbitMQ virtual hosts "cascade-test" (the @QuarkusTest suite) and "cascade-it" (the service
#     processes that integration tests such as StepTimerIT start), with all permissions for guest,
#     so tests never touch the default vhost's queues.
# With --browser (as `./mvnw verify` runs it) it also installs Debian's chromium and chromium-driver
# when missing, for the console's browser tests.
# Idempotent: run it as often as you like. Used by deploy/local/run.sh, by `./mvnw verify`
# (before the tests) and by .ci/run. Override with CASCADE_DB_HOST/CASCADE_DB_PORT.
set -euo pipefail

db_host=${CASCADE_DB_HOST:-127.0.0.1}
db_port=${CASCADE_DB_PORT:-5432}

log() { echo "[services] $*" >&2; }

ensure_postgres() {
  if ! pg_isready -q -h "$db_host" -p "$db_port"; then
    log "PostgreSQL is down; starting it"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
    for _ in $(seq 1 30); do pg_isready -q -h "$db_host" -p "$db_port" && break; sleep 1; done
  fi
  pg_isready -q -h "$db_host" -p "$db_port" || { log "PostgreSQL did not come up"; exit 1; }
  local psql=(psql -h "$db_host" -p "$db_port" -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'cascade'")" != "1" ]; then
    log "creating role cascade"
    "${psql[@]}" -c "CREATE ROLE cascade LOGIN"
  fi
  for db in cascade cascade_test; do
    if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
      log "creating database $db"
      "${psql[@]}" -c "CREATE DATABASE $db OWNER cascade"
    fi
  done
}

ensure_rabbitmq() {
  if ! rabbitmqctl -q status >/dev/null 2>&1; then
    log "RabbitMQ is down; starting it"
    rabbitmq-server -detached
    sleep 2
  fi
  rabbitmqctl -q await_startup --timeout 90 >/dev/null
  local vhosts
  vhosts=$(rabbitmqctl -q list_vhosts)
  for vhost in cascade-test cascade-it; do
    if ! grep -qx "$vhost" <<<"$vhosts"; then
      log "creating RabbitMQ vhost $vhost"
      rabbitmqctl -q add_vhost "$vhost"
    fi
    rabbitmqctl -q set_permissions -p "$vhost" guest ".*" ".*" ".*"
  done
}

# The console's browser tests drive Debian's Chromium through its ChromeDriver.
ensure_browser() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    log "installing chromium and chromium-driver (browser tests)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
}

ensure_postgres
ensure_rabbitmq
log "PostgreSQL and RabbitMQ are ready"
if [ "${1:-}" = "--browser" ]; then
  ensure_browser
fi
