#!/usr/bin/env bash
# Runs the proxy comparison (upgrade4j's example proxy vs nginx and HAProxy, and a direct connection)
# and prints the table of medians and ratios. Builds nothing: run `./mvnw -B -ntp -DskipTests package`
# first. Installs nginx and haproxy with apt-get when they are missing (needs root).
#
#   upgrade-benchmarks/scripts/compare.sh [--rounds N] [--quick] [--seconds S] [--idle-tunnels N]
#                                         [--targets ours-splice,ours-copy,nginx,nginx-64k,haproxy,
#                                                    haproxy-splice,direct,ours-tls,nginx-tls,nginx-64k-tls,
#                                                    haproxy-tls,servlet]
#                                         [--round-trips N] [--idle-only] [--examples-jar PATH] [--no-plots]
#                                         [--name NAME]
#
# ours-splice and ours-copy are the example proxy with --relay splice and --relay copy; ours-splice
# needs Java 22+ (JAVA_HOME), and is left out with a note on an older Java. haproxy-splice is HAProxy
# with option splice-request and splice-response. The -tls targets are the same proxies listening with
# TLS (wss) on one certificate made at start-up, reached with TLS 1.3 and TLS_AES_128_GCM_SHA256 only,
# and compared with ours-tls. servlet is the example's servlet proxy (embedded Jetty 12, the stream
# relay), run only when --targets names it. --idle-only measures memory per idle tunnel alone.
#
# Writes upgrade-benchmarks/results/NAME.json (every round's figures) and NAME.txt (the printed table),
# NAME being comparison unless --name says otherwise, and, unless --no-plots, renders the PNGs in
# upgrade-benchmarks/results/ from comparison.json (and JMH's results/jmh.json too, when present).
#
# The runner's options, what each means and its default (once the jar is built):
#   java -cp upgrade-benchmarks/target/benchmarks.jar io.github.upgrade4j.benchmarks.ProxyComparison --help
set -euo pipefail

script="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
root="$(cd "$(dirname "$script")/../.." && pwd)"
cd "$root"
bench_jar=upgrade-benchmarks/target/benchmarks.jar
examples_jar=src-examples/target/upgrade-examples.jar
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

plots=1
idle=4000
name=comparison
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-plots) plots=0; shift ;;
    --quick) idle=1000; args+=("$1"); shift ;;
    --idle-only) args+=("$1"); shift ;;
    --idle-tunnels) idle="$2"; shift 2 ;;
    --examples-jar) examples_jar="$2"; shift 2 ;;
    --name) name="$2"; shift 2 ;;
    --rounds|--seconds|--targets|--round-trips) args+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,25p' "$script" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

# shellcheck source=proxies.sh
. "$(dirname "${BASH_SOURCE[0]}")/proxies.sh"
require_jars "$bench_jar" "$examples_jar"
require_proxies

# Each idle tunnel holds two sockets in the proxy and one in each of the client and the origin;
# nginx and HAProxy raise their own limits as root, the JVMs inherit this one.
need=$((2 * idle + 2048))
soft=$(ulimit -Sn)
if [ "$soft" != unlimited ] && [ "$soft" -lt "$need" ]; then
  hard=$(ulimit -Hn)
  if [ "$hard" = unlimited ] || [ "$hard" -ge "$need" ]; then
    ulimit -n "$need"
  else
    ulimit -n "$hard"
    fewer=$(( (hard - 2048) / 2 ))
    echo "note: ulimit -n is at most $hard here; measuring $fewer idle tunnels instead of $idle" >&2
    idle=$fewer
  fi
fi
echo "ulimit -n $(ulimit -n); load average $(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p upgrade-benchmarks/results
# The Java main starts and stops (by pid) every process of the comparison; on Ctrl-C its shutdown
# hook stops them. Its output is also kept in results/comparison.txt.
"$java" -cp "$bench_jar" io.github.upgrade4j.benchmarks.ProxyComparison \
  --examples-jar "$examples_jar" --idle-tunnels "$idle" ${args[@]+"${args[@]}"} \
  --out "upgrade-benchmarks/results/$name.json" > >(tee "upgrade-benchmarks/results/$name.txt") 2>&1 &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' INT TERM
status=0
wait "$pid" || status=$?
trap - INT TERM
if [ "$status" != 0 ]; then
  exit "$status"
fi

if [ "$plots" = 1 ]; then
  "$java" -cp "$bench_jar" io.github.upgrade4j.benchmarks.Plots
fi
