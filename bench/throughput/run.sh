#!/usr/bin/env bash
# Side-by-side throughput benchmark: Kannel 1.4.5 (sendsms GET -> smsbox -> bearerbox -> two
# fakesmsc SMSCs) against Cascade (POST /v1/messages with an sms+email route -> PostgreSQL ->
# RabbitMQ -> dispatcher -> simulator at 0 ms), on loopback only, every load bounded in time.
#
# Default (interleaved) mode: ROUNDS rounds of DURATION s per system (order alternates per round:
# K,C then C,K), wrk with CONNECTIONS connections after a WARMUP s warm-up per system. Per system:
# req/s, latency p50/p99, non-2xx; medians over rounds and the ratio Cascade/Kannel. Kannel: how
# many messages bearerbox handed to the fakesmscs per round, and at the end how many the fakesmscs
# say they received. Cascade, per round (one fresh tenant each): after the load it waits until
# every message of the tenant is final (not ACCEPTED/SENDING/WAITING, at most DRAIN s) and reports
# delivered/s, accept->delivered p50/p99 (updated_at - created_at of DELIVERED rows), messages not
# final, and the cost: pg_stat_database deltas of db cascade (commits, inserts, updates) per
# delivered message, statements per message (only if pg_stat_statements is installed), JVM CPU ms
# (utime+stime of the java process) per accepted message, max RSS sampled during the round.
#
# --sustained [RATE [SECONDS]] (default 1000 msg/s for 60 s): Cascade only, a fixed offered rate
# from bench/throughput/RateLoad.java (open loop, at most --max-in-flight outstanding requests);
# reports offered, accepted, delivered/s, accept->delivered p50/p99, not final, and the same costs.
#
# --priority [BULK [HIGH]] (default 20000 and 100): Cascade only. Tenant A posts BULK messages with
# priority bulk as fast as 16 senders can; meanwhile tenant B posts HIGH messages with priority
# high, one every 50 ms (bench/throughput/PriorityLoad.java). Reports A's accept rate and B's
# accept->delivered p50/p99/max (target: p99 <= 1 s), both from the stored timestamps.
#
# --fairness [A [B]] (default 20000 and 100): the same with both tenants' messages in the normal
# class: tenant B's messages against tenant A's burst in one queue (fair share between tenants).
# --replicas 2 (sustained mode): a second Cascade on the next free port, same database and broker;
# the load generator alternates between the two; the service CPU covers both, RSS the first.
# --sms-latency MS (priority and fairness modes): the SMS simulator answers after MS once warm,
# so that deliveries fall behind the accepts and a backlog forms (256 sends in flight per class).
# --smpp [RATE [SECONDS]] (default 1000 msg/s for 60 s): SMS over SMPP with delivery receipts, end
# to end, against one SMSC (bench/throughput/Smsc.java, jSMPP: a DELIVRD receipt for every submit
# that asks for one, after --receipt-delay MS, default 0) that Kannel and Cascade both bind to.
# Kannel: sendsms GET with dlr-mask=1 and a dlr-url the SMSC counts and times (accept -> delivery
# report); Cascade: POST /v1/messages with an sms-only route through provider "smsc", delivered when
# its receipt is applied. Same offered rate for both (RateLoad.java, open loop), Kannel first.
# Reports per system accepted/s, delivered-by-receipt/s, accept -> delivered p50/p99, and receipts
# lost (acknowledged by the ESME but not applied: Cascade's receipt rows, Kannel's reports).
#
# Usage: bench/throughput/run.sh [--jar PATH] [--rounds 2] [--duration 15] [--warmup 15]
#          [--connections 16] [--drain 120] [--port 8090] [--sustained [RATE [SECONDS]]]
#          [--max-in-flight 256] [--priority [BULK [HIGH]]] [--fairness [A [B]]]
#          [--sms-latency MS] [--replicas 2] [--smpp [RATE [SECONDS]]] [--receipt-delay MS]
#          [--no-record]
# --jar defaults to target/quarkus-app/quarkus-run.jar of this checkout (built if missing or
# older than src/ or pom.xml). Installs kannel, kannel-extras and wrk with apt-get if missing.
# Prints the figures and appends one block to bench/results/throughput.txt (unless --no-record).
# Everything it starts is stopped on exit, also on failure; logs are kept in the printed temp
# directory when it fails (or always with BENCH_KEEP_LOGS=1). JAVA_OPTS is passed to the service.
# The machine is shared: before each measured window it waits up to BENCH_QUIET_WAIT (30) s for
# the machine to be quiet, and each window reports where the CPU went ("cores: ..."), so that a
# figure taken while other builds ran can be told apart. Stats settle for BENCH_STATS_SETTLE (11) s
# after each Cascade drain before pg_stat_database is read. One default run takes about 4 minutes (3.5-6 with the quiet waits).
set -Eeuo pipefail
# The benchmark tenant sends as fast as it can: its rate limit must not be what is measured.
export CASCADE_LIMITS_MESSAGES_PER_SECOND=${CASCADE_LIMITS_MESSAGES_PER_SECOND:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

jar=""
rounds=2
duration=15
warmup=15
connections=16
drain=120
port=8090
mode=interleaved
rate=1000
seconds=60
max_in_flight=256
bulk=20000
high=100
a_priority=bulk
b_priority=high
sms_latency=0
receipt_delay=0
replicas=1
record=1
settle=${BENCH_STATS_SETTLE:-11}   # PostgreSQL 15 backends flush idle stats within 10 s

usage() { sed -n '2,/^set -E/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) jar=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=${2%s}; shift 2 ;;
    --warmup) warmup=${2%s}; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --drain) drain=${2%s}; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --max-in-flight) max_in_flight=$2; shift 2 ;;
    --no-record) record=0; shift ;;
    --sustained)
      mode=sustained; shift
      if [[ ${1:-} =~ ^[0-9]+([.][0-9]+)?$ ]]; then rate=$1; shift
        if [[ ${1:-} =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi
      fi ;;
    --fairness)
      mode=priority; a_priority=normal; b_priority=normal; shift
      if [[ ${1:-} =~ ^[0-9]+$ ]]; then bulk=$1; shift
        if [[ ${1:-} =~ ^[0-9]+$ ]]; then high=$1; shift; fi
      fi ;;
    --sms-latency) sms_latency=$2; shift 2 ;;
    --receipt-delay) receipt_delay=$2; shift 2 ;;
    --smpp)
      mode=smpp; shift
      if [[ ${1:-} =~ ^[0-9]+([.][0-9]+)?$ ]]; then rate=$1; shift
        if [[ ${1:-} =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi
      fi ;;
    --replicas) replicas=$2; shift 2 ;;
    --priority)
      mode=priority; shift
      if [[ ${1:-} =~ ^[0-9]+$ ]]; then bulk=$1; shift
        if [[ ${1:-} =~ ^[0-9]+$ ]]; then high=$1; shift; fi
      fi ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
threads=$(( connections < 2 ? connections : 2 ))
results=$root/bench/results/throughput.txt
started_at=$(date +%s)
log() { echo "[throughput $(date +%H:%M:%S)] $*" >&2; }

# ---------------------------------------------------------------- prerequisites
need=()
command -v wrk >/dev/null || need+=(wrk)
if [ "$mode" = interleaved ] || [ "$mode" = smpp ]; then
  command -v bearerbox >/dev/null && command -v smsbox >/dev/null || need+=(kannel)
  [ -x /usr/lib/kannel/test/fakesmsc ] || need+=(kannel-extras)
fi
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kannel kannel-extras wrk >/dev/null
fi
fakesmsc=/usr/lib/kannel/test/fakesmsc
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not up on 127.0.0.1:5432 (deploy/local/services.sh)" >&2; exit 1; }
(exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null || { echo "RabbitMQ is not up on 127.0.0.1:5672 (deploy/local/services.sh)" >&2; exit 1; }

if [ -z "$jar" ]; then
  jar=$root/target/quarkus-app/quarkus-run.jar
  if [ ! -f "$jar" ] || [ -n "$(find "$root/src" "$root/pom.xml" -newer "$jar" -print -quit)" ]; then
    log "building $jar"
    (cd "$root" && ./mvnw -B -q package -DskipTests)
  fi
fi
[ -f "$jar" ] || { echo "no jar at $jar" >&2; exit 1; }
jar=$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")
jar_commit=$(git -C "$(dirname "$jar")" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$jar_commit" != unknown ] && [ -n "$(git -C "$(dirname "$jar")" status --porcelain -- \
    "$(git -C "$(dirname "$jar")" rev-parse --show-toplevel)/src" 2>/dev/null | head -1)" ]; then
  jar_commit="$jar_commit+dirty"
fi
script_commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)

# ---------------------------------------------------------------- processes and cleanup
tmp=$(mktemp -d /tmp/cascade-throughput.XXXXXX)
bearerbox_pid="" smsbox_pid="" fake1_pid="" fake2_pid="" smsc_pid="" cascade_pid="" cascade2_pid="" base2="" sampler_pid="" ok=0
stop_pid() { # pid signal grace-seconds
  local pid=$1 sig=$2 grace=$3
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 $(( grace * 10 ))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  set +e
  stop_pid "$sampler_pid" TERM 1
  stop_pid "$fake1_pid" INT 3; stop_pid "$fake2_pid" INT 3
  stop_pid "$smsbox_pid" TERM 10; stop_pid "$bearerbox_pid" TERM 10
  stop_pid "$cascade_pid" TERM 20
  stop_pid "$cascade2_pid" TERM 20
  stop_pid "$smsc_pid" TERM 5
  if [ "$ok" = 1 ] && [ -z "${BENCH_KEEP_LOGS:-}" ]; then rm -rf "$tmp"; else log "logs kept in $tmp"; fi
}
trap cleanup EXIT
trap 'log "failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

port_free() { [ -z "$(ss -Htln "sport = :$1" 2>/dev/null)" ]; }
pick_port() { local p=$1; while ! port_free "$p"; do p=$((p + 1)); done; echo "$p"; }
wait_port() { # port seconds
  for _ in $(seq 1 $(( $2 * 10 ))); do port_free "$1" || return 0; sleep 0.1; done; return 1
}

# ---------------------------------------------------------------- helpers
psql_q() { psql -h 127.0.0.1 -U cascade -d cascade -X -qtA -v ON_ERROR_STOP=1 -c "$1"; }
# pg_stat_database is read from db postgres so that reading it adds no commit to db cascade.
pgstat() {
  psql -h 127.0.0.1 -U cascade -d postgres -X -qtA -F' ' -c "SELECT xact_commit, tup_inserted,
    tup_updated FROM pg_stat_database WHERE datname = 'cascade'"
}
have_pgss=$(psql_q "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'" 2>/dev/null || echo 0)
statements() {
  if [ "$have_pgss" = 1 ]; then
    psql_q "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
      WHERE d.datname = 'cascade'"
  else echo 0; fi
}
cpu_ticks() { # of the service (both replicas with --replicas 2)
  local pid t=0
  for pid in $cascade_pid $cascade2_pid; do t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
  echo "$t"
}
clk_tck=$(getconf CLK_TCK)
to_ms() { # wrk value such as 812.00us, 2.89ms, 1.20s, 2.00m
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1
    printf "%.2f", n * f }'
}
median() { printf '%s\n' "$@" | grep -v '^-*$' | sort -g | awk '{a[NR] = $1}
  END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2];
        else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
div() { awk -v a="$1" -v b="$2" -v p="${3:-2}" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.*f\n", p, a / b }'; }
wrk_field() { # wrk-output field
  case "$2" in
    rps) echo "$1" | awk '/Requests\/sec/ {print $2}' ;;
    p50) to_ms "$(echo "$1" | awk '$1 == "50%" {print $2}')" ;;
    p99) to_ms "$(echo "$1" | awk '$1 == "99%" {print $2}')" ;;
    requests) echo "$1" | awk '/requests in/ {print $1}' ;;
    non2xx) echo "$1" | awk '/Non-2xx/ {n = $5} END {print n + 0}' ;;
    errors) echo "$1" | awk '/Socket errors/ {gsub(/,/, ""); n = $4 + $6 + $8 + $10} END {print n + 0}' ;;
  esac
}
# Where the cores went during a load window, in cores (CPU s per s): per process group, from
# /proc/PID/stat (utime+stime) at the start and end of the window. pg_cascade = backends of db
# cascade; pg_other = other databases (e.g. another engineer's test runs) and PostgreSQL's own
# processes; other_java = java processes that are neither the service nor our load generator
# (Maven builds, test JVMs); rest = machine busy time (/proc/stat) minus all of those (kernel,
# processes that ended during the window).
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
proc_snapshot() { # "pid group ticks" lines; bash builtins only, so that it costs next to nothing
  local d pid comm g f args
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    { read -r comm <"$d/comm"; } 2>/dev/null || continue
    case $comm in
      java)
        if [ "$pid" = "$cascade_pid" ] || [ "$pid" = "$cascade2_pid" ]; then g=cascade
        else
          { mapfile -d '' args <"$d/cmdline"; } 2>/dev/null || continue
          if [[ "${args[*]}" == *RateLoad.java* ]]; then g=loadgen
          elif [[ "${args[*]}" == *Smsc.java* ]]; then g=smsc; else g=other_java; fi
        fi ;;
      postgres)
        { mapfile -d '' args <"$d/cmdline"; } 2>/dev/null || continue
        if [[ "${args[*]}" == "postgres: "*": cascade cascade "* ]]; then g=pg_cascade; else g=pg_other; fi ;;
      beam.smp) g=rabbitmq ;;
      wrk) g=loadgen ;;
      bearerbox|smsbox|fakesmsc) g=kannel ;;
      *) continue ;;
    esac
    { read -r -a f <"$d/stat"; } 2>/dev/null || continue
    echo "$pid $g $(( f[13] + f[14] ))"
  done
  # Load generators that ended in the window are counted through this shell's children times.
  read -r -a f </proc/$$/stat
  echo "children loadgen_done $(( f[15] + f[16] ))"
}
noise_start() { n_t0=$(date +%s.%N); n_b0=$(busy_ticks); n_p0=$(proc_snapshot); }
noise_end() { # -> sets noise="cores: busy=.. cascade=.. ..."
  local t1 b1 p1
  t1=$(date +%s.%N); b1=$(busy_ticks); p1=$(proc_snapshot)
  noise=$(awk -v secs="$(awk -v a="$n_t0" -v b="$t1" 'BEGIN {print b - a}')" -v hz="$clk_tck" \
      -v busy="$(( b1 - n_b0 ))" '
    NR == FNR { if (NF == 3) s[$1] = $3; next }
    { d[$2] += $3 - (($1 in s) ? s[$1] : 0) }
    END {
      d["loadgen"] += d["loadgen_done"]
      n = split("cascade pg_cascade rabbitmq loadgen kannel smsc other_java pg_other", gs, " ")
      out = sprintf("cores: busy=%.2f", busy / secs / hz); sum = 0
      for (i = 1; i <= n; i++) { sum += d[gs[i]]; out = out sprintf(" %s=%.2f", gs[i], d[gs[i]] / secs / hz) }
      printf "%s rest=%.2f\n", out, (busy - sum) / secs / hz
    }' <(echo "-"; echo "$n_p0") <(echo "$p1"))
}
# Waits (at most $quiet_wait s) until the machine is quiet: under 0.3 busy cores over 2 s, our idle
# processes included. Sets quiet="waited Ns" or "busy after Ns (N cores)".
quiet_wait=${BENCH_QUIET_WAIT:-30}
wait_quiet() {
  local start b0 b1 cores
  start=$(date +%s)
  while :; do
    b0=$(busy_ticks); sleep 2; b1=$(busy_ticks)
    cores=$(awk -v d="$(( b1 - b0 ))" -v hz="$clk_tck" 'BEGIN {printf "%.2f", d / 2 / hz}')
    if awk -v c="$cores" 'BEGIN {exit !(c < 0.3)}'; then quiet="quiet after $(( $(date +%s) - start ))s"; return 0; fi
    if [ $(( $(date +%s) - start )) -ge "$quiet_wait" ]; then quiet="still busy after ${quiet_wait}s ($cores cores)"; return 0; fi
  done
}
rss_sampler() { # writes the max VmRSS (KiB) of the service seen so far to $1
  local max=0 v k n
  while kill -0 "$cascade_pid" 2>/dev/null; do
    v=0
    while read -r k n _; do [ "$k" = VmRSS: ] && { v=$n; break; }; done 2>/dev/null <"/proc/$cascade_pid/status"
    [ "${v:-0}" -gt "$max" ] && { max=$v; echo "$max" >"$1"; }
    sleep 0.25
  done
}

# ---------------------------------------------------------------- Kannel
kannel_status() { curl -fs "http://127.0.0.1:$k_admin/status.txt?password=bench"; }
kannel_sent() { # total sent and queued
  kannel_status | sed -nE 's/^SMS: received [0-9]+ \([0-9]+ queued\), sent ([0-9]+) \(([0-9]+) queued\), store size (-?[0-9]+).*/\1 \2 \3/p'
}
start_kannel() {
  k_admin=$(pick_port 13000); k_box=$(pick_port $((k_admin + 1))); k_send=$(pick_port 13013)
  k_fake1=$(pick_port 10000); k_fake2=$(pick_port $((k_fake1 + 1)))
  mkdir -p "$tmp/kannel"
  if [ "$mode" = smpp ]; then # one SMPP transceiver bind to the bench SMSC, 32 submits in flight
    # msg-id-type 0x01: ids are hex in submit_sm_resp and decimal in receipts, as the SMSC writes.
    k_smscs="group = smsc
smsc = smpp
smsc-id = smpp
host = 127.0.0.1
port = $smsc_port
transceiver-mode = true
smsc-username = kannel
smsc-password = bench
system-type = \"\"
max-pending-submits = 32
msg-id-type = 0x01"
    k_online='SMPP:.*online'; k_links=1
  else
    k_smscs="group = smsc
smsc = fake
smsc-id = fake1
port = $k_fake1
connect-allow-ip = \"127.0.0.1\"

group = smsc
smsc = fake
smsc-id = fake2
port = $k_fake2
connect-allow-ip = \"127.0.0.1\""
    k_online='FAKE:.*online'; k_links=2
  fi
  cat >"$tmp/kannel/kannel.conf" <<EOF
group = core
admin-port = $k_admin
admin-interface = 127.0.0.1
admin-password = bench
admin-allow-ip = "127.0.0.1"
smsbox-port = $k_box
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-file = "$tmp/kannel/bearerbox.log"
log-level = 2
store-type = file
store-location = "$tmp/kannel/kannel.store"

$k_smscs

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $k_box
sendsms-port = $k_send
sendsms-interface = 127.0.0.1
log-file = "$tmp/kannel/smsbox.log"
log-level = 2

group = sendsms-user
username = bench
password = bench

group = sms-service
keyword = default
text = "No service specified"
EOF
  # -v 2: without it both boxes log every request at DEBUG level on stderr, whatever log-level says.
  bearerbox -v 2 "$tmp/kannel/kannel.conf" >"$tmp/kannel/bearerbox.out" 2>&1 &
  bearerbox_pid=$!
  wait_port "$k_admin" 15 || { echo "bearerbox did not start" >&2; exit 1; }
  if [ "$mode" != smpp ]; then
    wait_port "$k_fake2" 15 || { echo "bearerbox did not open the fakesmsc ports" >&2; exit 1; }
    # -m 0: send no MO message, only absorb (and count) what bearerbox sends.
    "$fakesmsc" -H 127.0.0.1 -r "$k_fake1" -m 0 -v 1 "1 2 text unused" >"$tmp/kannel/fake1.out" 2>&1 &
    fake1_pid=$!
    "$fakesmsc" -H 127.0.0.1 -r "$k_fake2" -m 0 -v 1 "1 2 text unused" >"$tmp/kannel/fake2.out" 2>&1 &
    fake2_pid=$!
  fi
  smsbox -v 2 "$tmp/kannel/kannel.conf" >"$tmp/kannel/smsbox.out" 2>&1 &
  smsbox_pid=$!
  wait_port "$k_send" 15 || { echo "smsbox did not start" >&2; exit 1; }
  k_url="http://127.0.0.1:$k_send/cgi-bin/sendsms?username=bench&password=bench&from=cascade&to=%2B4915112345678&text=Your+code+is+123456"
  for _ in $(seq 1 50); do
    [ "$(kannel_status | grep -c "$k_online")" = "$k_links" ] && curl -fs "$k_url" >/dev/null && return 0
    sleep 0.2
  done
  echo "Kannel is not ready (SMSCs online and sendsms answering)" >&2; exit 1
}
kannel_drain() { # waits (<= 30 s) until bearerbox has nothing queued; prints sent
  local s
  for _ in $(seq 1 150); do
    s=$(kannel_sent)
    [ "$(echo "$s" | awk '{print $2 + $3}')" = 0 ] && break
    sleep 0.2
  done
  echo "$s" | awk '{print $1}'
}
kannel_round() { # round-number
  local before after out
  before=$(kannel_drain)
  wait_quiet
  noise_start
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$k_url")
  noise_end
  echo "$out" >"$tmp/kannel-round$1.wrk"
  after=$(kannel_drain)
  local req non2xx
  req=$(wrk_field "$out" requests); non2xx=$(wrk_field "$out" non2xx)
  k_rps+=("$(wrk_field "$out" rps)"); k_p50+=("$(wrk_field "$out" p50)"); k_p99+=("$(wrk_field "$out" p99)")
  k_non2xx+=("$non2xx"); k_err+=("$(wrk_field "$out" errors)")
  k_acc+=("$((req - non2xx))"); k_tofake+=("$((after - before))")
  local i=$((${#k_rps[@]} - 1))
  lines+=("  kannel  round $1: req/s=${k_rps[$i]} p50=${k_p50[$i]}ms p99=${k_p99[$i]}ms non_2xx=${k_non2xx[$i]} socket_errors=${k_err[$i]} accepted=${k_acc[$i]} bearerbox_to_fakesmsc=${k_tofake[$i]}" "    before: $quiet; load window $noise")
  log "${lines[-2]# }"; log "${lines[-1]# }"
}
stop_kannel_count() { # stops the fakesmscs (SIGINT makes them print their counts) and reads them
  stop_pid "$fake1_pid" INT 5; stop_pid "$fake2_pid" INT 5
  local r1 r2
  r1=$(sed -nE 's/.*fakesmsc: [0-9]+ messages sent and ([0-9]+) received.*/\1/p' "$tmp/kannel/fake1.out")
  r2=$(sed -nE 's/.*fakesmsc: [0-9]+ messages sent and ([0-9]+) received.*/\1/p' "$tmp/kannel/fake2.out")
  fake_received="${r1:-?}+${r2:-?}=$(( ${r1:-0} + ${r2:-0} ))"
}

# ---------------------------------------------------------------- SMSC (--smpp)
cascade_props=()
smsc_stat() { # key -> its value in the SMSC's /stats line
  curl -fs "$smsc_http/stats" | tr ' ' '\n' | sed -n "s/^$1=//p"
}
start_smsc() {
  smsc_port=$(pick_port 2775); local http_port; http_port=$(pick_port 12776)
  smsc_http="http://127.0.0.1:$http_port"
  local lib; lib=$(dirname "$jar")/lib/main
  java -XX:+UseSerialGC -Xmx512m -cp "$(ls "$lib"/org.jsmpp.jsmpp-*.jar):$(ls "$lib"/org.slf4j.slf4j-api-*.jar)" \
    "$here/Smsc.java" "$smsc_port" "$http_port" "$receipt_delay" >"$tmp/smsc.log" 2>&1 &
  smsc_pid=$!
  for _ in $(seq 1 100); do curl -fs "$smsc_http/stats" >/dev/null 2>&1 && break; sleep 0.2; done
  wait_port "$smsc_port" 5 || { cat "$tmp/smsc.log" >&2; echo "the SMSC did not start" >&2; exit 1; }
  local p=-Dcascade.provider.smsc.
  cascade_props=(-Dcascade.channel.sms.providers=smsc "${p}type=smpp" "${p}timeout=10s"
    "${p}smpp.host=127.0.0.1" "${p}smpp.port=$smsc_port" "${p}smpp.system-id=cascade"
    "${p}smpp.source-address=Cascade")
}
# One Kannel window at the offered rate: sendsms with a dlr-url; waits (<= DRAIN s) for the reports.
kannel_smpp_window() {
  local acked0 acked1 refused0 accepted reports end
  curl -fs "$smsc_http/reset" >/dev/null
  acked0=$(smsc_stat receipts_acked); refused0=$(smsc_stat receipts_refused)
  wait_quiet
  noise_start
  k_out=$(BENCH_DLR_URL="$smsc_http/dlr" java -XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1 \
    "$here/RateLoad.java" "$k_url" "$rate" "$seconds" "$max_in_flight")
  noise_end
  accepted=$(echo "$k_out" | tr ' ' '\n' | sed -n 's/^accepted=//p')
  end=$(( $(date +%s) + drain ))
  while reports=$(smsc_stat dlrs_delivered); [ "$reports" -lt "$accepted" ] && [ "$(date +%s)" -lt "$end" ]; do
    sleep 1
  done
  acked1=$(smsc_stat receipts_acked)
  k_smpp="accepted=$accepted delivery_reports=$reports not_reported=$(( accepted - reports )) delivered/s=$(smsc_stat dlr_per_s) accept_to_report_p50=$(smsc_stat dlr_p50_ms)ms p99=$(smsc_stat dlr_p99_ms)ms max=$(smsc_stat dlr_max_ms)ms receipts_acked=$(( acked1 - acked0 )) receipts_refused=$(( $(smsc_stat receipts_refused) - refused0 )) receipts_lost=$(( acked1 - acked0 - reports ))"
  k_noise="before: $quiet; load window $noise"
}

# ---------------------------------------------------------------- Cascade
start_cascade() {
  port=$(pick_port "$port")
  token="bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
  base="http://127.0.0.1:$port"
  local management; management=$(pick_port $((port + 1000)))
  PORT=$port MANAGEMENT_PORT=$management CASCADE_ADMIN_TOKEN=$token CASCADE_SIMULATOR_LATENCY_MS=0 \
    java ${JAVA_OPTS:-} "${cascade_props[@]}" -jar "$jar" >"$tmp/cascade.log" 2>&1 &
  cascade_pid=$!
  wait_ready "$base" "$cascade_pid" "$tmp/cascade.log" "$management"
  if [ "$replicas" = 2 ]; then # migrations are done: the second starts on a ready schema
    local port2; port2=$(pick_port $((port + 1)))
    base2="http://127.0.0.1:$port2"
    local management2; management2=$(pick_port $((management + 1)))
    PORT=$port2 MANAGEMENT_PORT=$management2 CASCADE_ADMIN_TOKEN=$token CASCADE_SIMULATOR_LATENCY_MS=0 \
      java ${JAVA_OPTS:-} "${cascade_props[@]}" -jar "$jar" >"$tmp/cascade2.log" 2>&1 &
    cascade2_pid=$!
    wait_ready "$base2" "$cascade2_pid" "$tmp/cascade2.log" "$management2"
  fi
}
wait_ready() { # base pid log management-port (probes there; on the API port for jars before it)
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$4/q/health/ready" >/dev/null 2>&1 && return 0
    curl -fs "$1/q/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 1
  done
  tail -n 30 "$3" >&2
  echo "Cascade ($1) did not become ready" >&2; exit 1
}
new_tenant() { # name -> sets key, tenant_id (retried: the first request after ready can fail)
  local t code
  for _ in 1 2 3 4 5; do
    t=$(curl -s -o "$tmp/tenant.json" -w '%{http_code}' -X POST "$base/admin/v1/tenants" \
      -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "{\"name\":\"$1\"}") || t=000
    if [ "$t" = 201 ]; then
      t=$(cat "$tmp/tenant.json")
      key=$(echo "$t" | sed -E 's/.*"apiKey":"([^"]+)".*/\1/')
      tenant_id=$(echo "$t" | sed -E 's/.*"id":"([^"]+)".*/\1/')
      return 0
    fi
    log "creating tenant $1: HTTP $t $(head -c 300 "$tmp/tenant.json" 2>/dev/null)"
    sleep 1
  done
  echo "could not create a tenant" >&2; exit 1
}
polls=0
# Statuses that are not final yet; over SMPP a message also waits in sent for its receipt.
open_statuses="'ACCEPTED', 'SENDING', 'WAITING'"
[ "$mode" = smpp ] && open_statuses="$open_statuses, 'SENT'"
wait_final() { # seconds -> 0 when every message of $tenant_id is final
  local end=$(( $(date +%s) + $1 ))
  while :; do
    polls=$((polls + 1))
    [ "$(psql_q "SELECT count(*) FROM message WHERE tenant_id = '$tenant_id'
      AND status IN ($open_statuses)")" = 0 ] && return 0
    [ "$(date +%s)" -ge "$end" ] && return 1
    sleep 1
  done
}
warm_cascade() {
  new_tenant bench-throughput-warmup
  local b warmers=()
  if [ "$mode" = smpp ]; then # the measured path at the measured rate, so the JIT is done with it
    CASCADE_BENCH_KEY=$key BENCH_ROUTE=sms java -XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1 \
      "$here/RateLoad.java" "$base" "$rate" "$warmup" "$max_in_flight" >/dev/null
  else
    for b in $base $base2; do # both replicas at once, half the connections each
      CASCADE_BENCH_KEY=$key wrk -t"$threads" -c"$(( connections / replicas ))" -d"${warmup}s" \
        -s "$here/sms-email.lua" "$b/v1/messages" >/dev/null &
      warmers+=($!)
    done
    wait "${warmers[@]}"
  fi
  wait_final "$drain" || log "warning: warm-up messages not final after $drain s"
  sleep "$settle"
  # Idle cost of the running service (pollers, relay, watchdog), for reading the per-message costs.
  local s0 s1 c0 c1
  s0=$(pgstat); c0=$(cpu_ticks); sleep 10; s1=$(pgstat); c1=$(cpu_ticks)
  idle="xact/s=$(div "$(( $(echo "$s1" | awk '{print $1}') - $(echo "$s0" | awk '{print $1}') ))" 10 1) cpu_ms/s=$(div "$(( (c1 - c0) * 1000 / clk_tck ))" 10 1)"
}
# Runs one measured Cascade window: $1 = label, $2.. = load command (uses $key). Sets c_* figures.
cascade_window() {
  local label=$1; shift
  new_tenant "bench-throughput-$label"
  local s0 c0 c1 c2 t0 t1 t2 st0 st2
  echo 0 >"$tmp/rss"
  rss_sampler "$tmp/rss" & sampler_pid=$!
  wait_quiet
  polls=0
  s0=$(pgstat); st0=$(statements); c0=$(cpu_ticks); t0=$(date +%s.%N)
  noise_start
  c_out=$(CASCADE_BENCH_KEY=$key "$@")
  c1=$(cpu_ticks); t1=$(date +%s.%N)
  noise_end
  c_final=ok
  wait_final "$drain" || c_final="NOT all final after ${drain}s"
  c2=$(cpu_ticks); t2=$(date +%s.%N)
  stop_pid "$sampler_pid" TERM 1; sampler_pid=""
  c_rss=$(( $(cat "$tmp/rss") / 1024 ))
  sleep "$settle"
  s2=$(pgstat); st2=$(statements)
  local stats
  stats=$(psql_q "SELECT count(*),
      count(*) FILTER (WHERE status = 'DELIVERED'),
      count(*) FILTER (WHERE status IN ($open_statuses)),
      coalesce(round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - created_at) * 1000)
        FILTER (WHERE status = 'DELIVERED')::numeric, 1), -1),
      coalesce(round(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - created_at) * 1000)
        FILTER (WHERE status = 'DELIVERED')::numeric, 1), -1),
      coalesce(round((count(*) FILTER (WHERE status = 'DELIVERED')
        / nullif(extract(epoch FROM max(updated_at) FILTER (WHERE status = 'DELIVERED')
                 - min(created_at)), 0))::numeric, 0), 0),
      (SELECT coalesce(string_agg(status || ':' || n, ',' ORDER BY status), '-') FROM
        (SELECT status, count(*) n FROM message WHERE tenant_id = '$tenant_id' GROUP BY status) g)
    FROM message WHERE tenant_id = '$tenant_id'")
  IFS='|' read -r c_accepted c_delivered c_pending c_d50 c_d99 c_dps c_statuses <<<"$stats"
  local dx di du
  dx=$(( $(echo "$s2" | awk '{print $1}') - $(echo "$s0" | awk '{print $1}') - polls - have_pgss ))
  di=$(( $(echo "$s2" | awk '{print $2}') - $(echo "$s0" | awk '{print $2}') ))
  du=$(( $(echo "$s2" | awk '{print $3}') - $(echo "$s0" | awk '{print $3}') ))
  c_tx=$(div "$dx" "$c_delivered"); c_ins=$(div "$di" "$c_delivered"); c_upd=$(div "$du" "$c_delivered")
  if [ "$have_pgss" = 1 ]; then c_stmt=$(div "$((st2 - st0))" "$c_delivered"); else c_stmt=n/a; fi
  c_cpu_load=$(div "$(( (c1 - c0) * 1000 / clk_tck ))" "$c_accepted")
  c_cpu_total=$(div "$(( (c2 - c0) * 1000 / clk_tck ))" "$c_accepted")
  c_load_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')
  c_drain_s=$(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.1f", b - a}')
  c_cost="tx/msg=$c_tx inserts/msg=$c_ins updates/msg=$c_upd statements/msg=$c_stmt cpu_ms/msg=$c_cpu_total (load window only: $c_cpu_load) rss_max=${c_rss}MiB"
  c_deliv="accepted=$c_accepted delivered=$c_delivered not_final=$c_pending delivered/s=$c_dps accept_to_delivered_p50=${c_d50}ms p99=${c_d99}ms drain=${c_drain_s}s ($c_final) statuses=$c_statuses"
  c_noise="before: $quiet; load window $noise"
}
cascade_round() { # round-number
  cascade_window "r$1" wrk -t"$threads" -c"$connections" -d"${duration}s" --latency \
    -s "$here/sms-email.lua" "$base/v1/messages"
  echo "$c_out" >"$tmp/cascade-round$1.wrk"
  c_rps+=("$(wrk_field "$c_out" rps)"); c_p50+=("$(wrk_field "$c_out" p50)"); c_p99+=("$(wrk_field "$c_out" p99)")
  c_non2xx+=("$(wrk_field "$c_out" non2xx)"); c_err+=("$(wrk_field "$c_out" errors)")
  cc_dps+=("$c_dps"); cc_d50+=("$c_d50"); cc_d99+=("$c_d99"); cc_pending+=("$c_pending")
  cc_tx+=("$c_tx"); cc_ins+=("$c_ins"); cc_upd+=("$c_upd"); cc_cpu+=("$c_cpu_total"); cc_cpul+=("$c_cpu_load"); cc_rss+=("$c_rss")
  local i=$((${#c_rps[@]} - 1))
  lines+=("  cascade round $1: req/s=${c_rps[$i]} p50=${c_p50[$i]}ms p99=${c_p99[$i]}ms non_2xx=${c_non2xx[$i]} socket_errors=${c_err[$i]}"
          "    $c_deliv" "    $c_cost" "    $c_noise")
  log "${lines[-4]# }"; log "${lines[-3]# }"; log "${lines[-2]# }"; log "${lines[-1]# }"
}

# ---------------------------------------------------------------- run
lines=()
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
k_rps=() k_p50=() k_p99=() k_non2xx=() k_err=() k_acc=() k_tofake=()
c_rps=() c_p50=() c_p99=() c_non2xx=() c_err=() cc_dps=() cc_d50=() cc_d99=() cc_pending=()
cc_tx=() cc_ins=() cc_upd=() cc_cpu=() cc_cpul=() cc_rss=()

if [ "$mode" = interleaved ]; then
  log "starting Kannel and Cascade ($jar, commit $jar_commit)"
  start_kannel
  start_cascade
  log "warm-up: Kannel ${warmup}s"
  wrk -t"$threads" -c"$connections" -d"${warmup}s" "$k_url" >/dev/null
  log "warm-up: Cascade ${warmup}s, drain, idle measurement"
  warm_cascade
  log "idle Cascade: $idle"
  for r in $(seq 1 "$rounds"); do
    if [ $((r % 2)) = 1 ]; then kannel_round "$r"; cascade_round "$r"
    else cascade_round "$r"; kannel_round "$r"; fi
  done
  k_sent_total=$(kannel_drain)
  stop_kannel_count
  mk_rps=$(median "${k_rps[@]}"); mc_rps=$(median "${c_rps[@]}")
  mk_p99=$(median "${k_p99[@]}"); mc_p99=$(median "${c_p99[@]}")
  summary=(
    "  median kannel:  req/s=$mk_rps p50=$(median "${k_p50[@]}")ms p99=${mk_p99}ms non_2xx=$(median "${k_non2xx[@]}")"
    "  median cascade: req/s=$mc_rps p50=$(median "${c_p50[@]}")ms p99=${mc_p99}ms non_2xx=$(median "${c_non2xx[@]}") delivered/s=$(median "${cc_dps[@]}") accept_to_delivered_p50=$(median "${cc_d50[@]}")ms p99=$(median "${cc_d99[@]}")ms not_final(max)=$(printf '%s\n' "${cc_pending[@]}" | sort -g | tail -1)"
    "  median cascade cost: tx/msg=$(median "${cc_tx[@]}") inserts/msg=$(median "${cc_ins[@]}") updates/msg=$(median "${cc_upd[@]}") statements/msg=$([ "$have_pgss" = 1 ] && echo measured || echo n/a) cpu_ms/msg=$(median "${cc_cpu[@]}") (load window only: $(median "${cc_cpul[@]}")) rss_max=$(printf '%s\n' "${cc_rss[@]}" | sort -g | tail -1)MiB"
    "  ratio cascade/kannel: req/s=$(div "$mc_rps" "$mk_rps" 3) p99=$(div "$mc_p99" "$mk_p99" 1)x"
    "  kannel delivery check: bearerbox sent to fakesmscs=$k_sent_total (incl. warm-up and readiness probe), fakesmscs received=$fake_received"
  )
  header="settings: mode=interleaved rounds=$rounds duration=${duration}s warmup=${warmup}s connections=$connections wrk_threads=$threads kannel=$(dpkg-query -W -f '${Version}' kannel 2>/dev/null) (sendsms GET, 2x fakesmsc -m 0) cascade_route=sms+email simulator_latency=0ms"
elif [ "$mode" = priority ]; then
  log "starting Cascade ($jar, commit $jar_commit)"
  start_cascade
  log "warm-up: Cascade ${warmup}s, drain, idle measurement"
  warm_cascade
  new_tenant bench-priority-high; b_key=$key; b_tenant=$tenant_id
  if [ "$sms_latency" != 0 ]; then # slower SMS: the dispatchers fall behind and a backlog forms
    curl -sf -X PUT "$base/admin/v1/simulator/sms" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d "{\"mode\":\"ok\",\"latencyMs\":$sms_latency}"
  fi
  log "priority: $bulk $a_priority messages of tenant A, $high $b_priority messages of tenant B meanwhile"
  cascade_window "priority-bulk" env B_KEY="$b_key" A_PRIORITY="$a_priority" B_PRIORITY="$b_priority" \
    java -XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1 "$here/PriorityLoad.java" "$base" "$bulk" "$high"
  a_tenant=$tenant_id; tenant_id=$b_tenant
  wait_final "$drain" || log "warning: tenant B's messages not final after $drain s"
  b_stats=$(psql_q "SELECT count(*), count(*) FILTER (WHERE status = 'DELIVERED'),
      round(1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - created_at))::numeric, 1),
      round(1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - created_at))::numeric, 1),
      round(1000 * max(extract(epoch FROM updated_at - created_at))::numeric, 1)
    FROM message WHERE tenant_id = '$b_tenant'" | tr '|' ' ')
  read -r b_n b_deliv b_50 b_99 b_max <<<"$b_stats"
  summary=(
    "  load: $c_out"
    "  tenant A ($a_priority): $c_deliv"
    "  tenant B ($b_priority): messages=$b_n delivered=$b_deliv accept_to_delivered_p50=${b_50}ms p99=${b_99}ms max=${b_max}ms (target p99 <= 1000ms)"
    "  cascade cost (tenant A's window): $c_cost"
    "  $c_noise"
  )
  header="settings: mode=priority tenant_a=$bulk x $a_priority tenant_b=$high x $b_priority (one every 50 ms, started after a tenth of the bulk) senders=16 warmup=${warmup}s cascade_route=sms+email simulator_latency=0ms sms_latency=${sms_latency}ms load=bench/throughput/PriorityLoad.java"
elif [ "$mode" = smpp ]; then
  log "starting the SMSC, Kannel and Cascade ($jar, commit $jar_commit)"
  start_smsc
  start_kannel
  start_cascade
  log "warm-up: Kannel ${warmup}s at 200/s"
  BENCH_DLR_URL="$smsc_http/dlr" java -XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1 \
    "$here/RateLoad.java" "$k_url" 200 "$warmup" >/dev/null
  log "warm-up: Cascade ${warmup}s, drain, idle measurement"
  warm_cascade
  log "idle Cascade: $idle"
  log "kannel: $rate msg/s for $seconds s"
  kannel_smpp_window
  log "  kannel load: $k_out"; log "  kannel: $k_smpp"
  log "cascade: $rate msg/s for $seconds s"
  r0=$(psql_q "SELECT count(*) FROM receipt"); a0=$(smsc_stat receipts_acked); f0=$(smsc_stat receipts_refused)
  cascade_window "smpp" env BENCH_ROUTE=sms java -XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1 \
    "$here/RateLoad.java" "$base" "$rate" "$seconds" "$max_in_flight"
  sleep 2 # receipts still in flight after the last message turned final
  # acknowledged first: a receipt stored after this read can only make "lost" smaller, never hide one
  a1=$(smsc_stat receipts_acked); f1=$(smsc_stat receipts_refused); r1=$(psql_q "SELECT count(*) FROM receipt")
  summary=(
    "  kannel load: $k_out"
    "  kannel: $k_smpp"
    "    $k_noise"
    "  cascade load: $c_out"
    "  cascade: $c_deliv receipts_acked=$((a1 - a0)) receipts_stored=$((r1 - r0)) receipts_refused=$((f1 - f0)) receipts_lost=$(( a1 - a0 - (r1 - r0) ))"
    "  cascade cost: $c_cost"
    "    $c_noise"
  )
  header="settings: mode=smpp rate=${rate}/s seconds=$seconds max_in_flight=$max_in_flight warmup=${warmup}s smsc=bench/throughput/Smsc.java (jSMPP $(ls "$(dirname "$jar")"/lib/main/ | sed -n 's/^org.jsmpp.jsmpp-\(.*\).jar$/\1/p'), receipt after ${receipt_delay}ms) kannel=$(dpkg-query -W -f '${Version}' kannel 2>/dev/null) (sendsms GET, dlr-mask=1, smpp window 32) cascade_route=sms cascade_smpp=window 32 and 64 receipt workers unless JAVA_OPTS says otherwise load=bench/throughput/RateLoad.java (open loop, latency from scheduled send)"
else
  log "starting Cascade ($jar, commit $jar_commit)"
  start_cascade
  log "warm-up: Cascade ${warmup}s, drain, idle measurement"
  warm_cascade
  log "idle Cascade: $idle"
  log "sustained: $rate msg/s for $seconds s"
  cascade_window "sustained" java -XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1 \
    "$here/RateLoad.java" "$base${base2:+,$base2}" "$rate" "$seconds" "$max_in_flight"
  summary=(
    "  load: $c_out"
    "  cascade: $c_deliv"
    "  cascade cost: $c_cost"
    "  $c_noise"
  )
  header="settings: mode=sustained replicas=$replicas rate=${rate}/s seconds=$seconds max_in_flight=$max_in_flight warmup=${warmup}s cascade_route=sms+email simulator_latency=0ms load=bench/throughput/RateLoad.java (open loop, latency from scheduled send)"
fi
elapsed=$(( $(date +%s) - started_at ))
block=("=== $(date -u +%Y-%m-%dT%H:%M:%SZ) bench/throughput/run.sh jar_commit=$jar_commit script_commit=$script_commit nproc=$(nproc) loadavg_at_start=$load_start run_time=${elapsed}s broker=${CASCADE_RABBITMQ_ADDRESSES:-127.0.0.1:5672}${JAVA_OPTS:+ JAVA_OPTS=$JAVA_OPTS}"
  "  $header"
  "  note: shared 2-core machine (load generator, Kannel, Cascade, PostgreSQL, RabbitMQ and other builds on the same cores): absolute figures are noisy, ratios within one run count; each window first waits up to ${quiet_wait}s for under 0.3 busy cores, and 'cores:' tells where the CPU of the window went"
  "  cascade idle (after warm-up, 10 s): $idle; pg costs are pg_stat_database deltas of db cascade from load start to drain end + ${settle}s, per delivered message; cpu is utime+stime of the java process from load start to drain end, per accepted message"
  "${lines[@]}" "${summary[@]}")
echo
printf '%s\n' "${block[@]}"
if [ "$record" = 1 ]; then
  mkdir -p "$(dirname "$results")"
  { printf '%s\n' "${block[@]}"; echo; } >>"$results"
  log "appended to $results"
fi
ok=1
