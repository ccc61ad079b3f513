#!/usr/bin/env bash
# CPU profile of a running Cascade (or any JVM) with async-profiler, for finding where the time of
# a benchmark goes: samples every millisecond of CPU (itimer: no perf events needed) for SECONDS
# and writes collapsed stacks (one line per stack, for flame graphs or grep) to OUT, then prints
# the top frames. async-profiler comes from Maven Central (tools.profiler:async-profiler, linux-x64)
# and is kept under target/async-profiler.
#
# Usage: bench/profile/profile.sh PID [SECONDS=30] [OUT=target/profile.collapsed]
# Typical: start a load (bench/throughput/run.sh --sustained 1000 60), wait for the warm-up to
# end, then run this against the service's pid (pgrep -f quarkus-run.jar).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pid=${1:?usage: profile.sh PID [SECONDS] [OUT]}
seconds=${2:-30}
out=$(realpath -m "${3:-$root/target/profile.collapsed}")
version=4.2
dir=$root/target/async-profiler
lib=$dir/linux-x64/libasyncProfiler.so
if [ ! -f "$lib" ]; then
  mkdir -p "$dir"
  curl -sfL -o "$dir/ap.jar" \
    "https://repo1.maven.org/maven2/tools/profiler/async-profiler/$version/async-profiler-$version-linux-x64.jar"
  (cd "$dir" && unzip -q -o ap.jar)
fi
java "$here/Attach.java" "$pid" "$lib" "start,event=itimer,interval=1ms"
sleep "$seconds"
java "$here/Attach.java" "$pid" "$lib" "stop,file=$out,collapsed"
echo "collapsed stacks: $out"
# Top frames by samples where they are on the CPU themselves.
awk '{n = $NF; sub(/ [0-9]+$/, ""); k = split($0, f, ";"); self[f[k]] += n; total += n}
     END {for (s in self) printf "%6.2f%% %s\n", 100 * self[s] / total, s}' "$out" | sort -rn | head -25
