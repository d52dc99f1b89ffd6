#!/usr/bin/env bash
# Runs the WebSocket-over-HTTP/2 comparison (issue 20): through each proxy, listening once with TLS and
# ALPN h2,http/1.1, one WebSocket over HTTP/2 (RFC 8441 extended CONNECT) against one over HTTP/1.1
# (wss), in the same run: throughput, 64 B round trip, the proxy's CPU, memory per idle WebSocket.
# Prints the table (Markdown, median (min-max) of the rounds). Builds nothing: run
# `./mvnw -B -ntp -q -pl upgrade-benchmarks,src-examples -am package -DskipTests` first. Installs
# haproxy with apt-get when it is missing (needs root).
#
#   upgrade-benchmarks/scripts/h2.sh [--rounds N] [--seconds S] [--round-trips N] [--idle-streams N]
#                                    [--idle-connections N] [--targets haproxy,ours]
#                                    [--ours-http2 auto|yes|no] [--examples-jar PATH] [--name NAME]
#
# haproxy is HAProxy with `bind ... ssl crt FILE alpn h2,http/1.1`, ours the example proxy with
# --tls-keystore and --http2; with --ours-http2 auto (the default) an example proxy without --http2,
# or whose HTTP/2 WebSocket fails the first check, is measured over HTTP/1.1 only, with a note.
#
# Writes upgrade-benchmarks/results/NAME.json (every round's figures) and NAME.txt (the printed
# output), NAME being h2 unless --name says otherwise.
#
# The runner's options, what each means and its default (once the jar is built):
#   java -cp upgrade-benchmarks/target/benchmarks.jar io.github.upgrade4j.benchmarks.H2Comparison --help
set -euo pipefail

script="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
root="$(cd "$(dirname "$script")/../.." && pwd)"
cd "$root"
bench_jar=upgrade-benchmarks/target/benchmarks.jar
examples_jar=src-examples/target/upgrade-examples.jar
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

name=h2
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --examples-jar) examples_jar="$2"; shift 2 ;;
    --name) name="$2"; shift 2 ;;
    --rounds|--seconds|--round-trips|--idle-streams|--idle-connections|--targets|--ours-http2)
      args+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,21p' "$script" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

# shellcheck source=proxies.sh
. "$(dirname "${BASH_SOURCE[0]}")/proxies.sh"
require_jars "$bench_jar" "$examples_jar"
require_proxies
echo "ulimit -n $(ulimit -n); load average $(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p upgrade-benchmarks/results
# The Java main starts and stops (by pid) every process of the comparison; on Ctrl-C its shutdown
# hook stops them. Its output is also kept in results/NAME.txt.
"$java" -cp "$bench_jar" io.github.upgrade4j.benchmarks.H2Comparison \
  --examples-jar "$examples_jar" ${args[@]+"${args[@]}"} \
  --out "upgrade-benchmarks/results/$name.json" > >(tee "upgrade-benchmarks/results/$name.txt") 2>&1 &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' INT TERM
status=0
wait "$pid" || status=$?
trap - INT TERM
exit "$status"
