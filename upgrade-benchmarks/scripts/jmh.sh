#!/usr/bin/env bash
# Runs the whole JMH suite with the GC profiler (ns/op and B/op), saves JMH's JSON to
# upgrade-benchmarks/results/jmh.json and renders the plots. Builds nothing: run
# `./mvnw -B -ntp -DskipTests package` first. Extra arguments go to JMH, for example a benchmark
# regex or `-f 1 -wi 1 -i 1` for a quick look:
#
#   upgrade-benchmarks/scripts/jmh.sh [JMH arguments...]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bench_jar=upgrade-benchmarks/target/benchmarks.jar
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [ ! -f "$bench_jar" ]; then
  echo "missing $bench_jar: build first with ./mvnw -B -ntp -DskipTests package" >&2
  exit 1
fi

# JMH 1.37 uses sun.misc.Unsafe, which JDK 24+ warns about in every fork unless given
# --sun-misc-unsafe-memory-access=allow (a flag JDK 17 rejects, so only added on 24+). A -jvmArgsAppend
# here replaces the relay benchmarks' @Fork(jvmArgsAppend), so it repeats the flags the splice path needs.
# Before Java 22 the relay cannot splice: its benchmarks run on the copy path and directly only.
flags=()
feature=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "${feature%%.*}" -ge 24 ] 2>/dev/null; then
  flags=(--sun-misc-unsafe-memory-access=allow)
  set -- "$@" -jvmArgsAppend \
    "--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED"
elif [ "${feature%%.*}" -lt 22 ] 2>/dev/null; then
  set -- "$@" -p path=copy,direct
fi

mkdir -p upgrade-benchmarks/results
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$java" ${flags[@]+"${flags[@]}"} -jar "$bench_jar" -prof gc -rf json -rff upgrade-benchmarks/results/jmh.json "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$java" -cp "$bench_jar" io.github.upgrade4j.benchmarks.Plots
