#!/usr/bin/env bash
# Runs the waiting-clients comparison (issue 18): thousands of clients that send half a request line
# and stall, against the example proxy, nginx and HAProxy in turn; prints the proxies' RSS growth and
# threads, the time of normal requests meanwhile and when each proxy closed the waiting clients.
# Builds nothing: run `./mvnw -B -ntp -DskipTests package` first. Installs nginx and haproxy with
# apt-get when they are missing (needs root).
#
#   upgrade-benchmarks/scripts/waiting.sh [--clients 10000] [--rounds 3] [--header-timeout 10s]
#                                         [--keep-alive-timeout 75s] [--requests 500] [--watch 25s]
#                                         [--openers 128]
#                                         [--targets ours,nginx,haproxy,servlet]
#                                         [--ours-timeout-flags auto|yes|no] [--examples-jar PATH]
#                                         [--name NAME]
#
# The example proxy gets --header-timeout and --keep-alive-timeout; with --ours-timeout-flags auto
# (the default) one that does not know them yet is run without them, and the output says so. Every
# waiting client holds one descriptor here and one in the proxy: this script raises `ulimit -n` to
# what the clients need, or stops and says what limit to set. HAProxy, which reserves two descriptors
# per connection, is left out with a note when the hard limit cannot hold it.
#
# Writes upgrade-benchmarks/results/NAME.json (every round's figures) and NAME.txt (the printed
# table), NAME being waiting unless --name says otherwise.
#
# The runner's options, what each means and its default (once the jar is built):
#   java -cp upgrade-benchmarks/target/benchmarks.jar io.github.upgrade4j.benchmarks.WaitingClients --help
set -euo pipefail

script="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
root="$(cd "$(dirname "$script")/../.." && pwd)"
cd "$root"
bench_jar=upgrade-benchmarks/target/benchmarks.jar
examples_jar=src-examples/target/upgrade-examples.jar
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

clients=10000
name=waiting
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients="$2"; shift 2 ;;
    --examples-jar) examples_jar="$2"; shift 2 ;;
    --name) name="$2"; shift 2 ;;
    --rounds|--header-timeout|--keep-alive-timeout|--requests|--watch|--openers|--targets|--ours-timeout-flags)
      args+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,25p' "$script" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

# shellcheck source=proxies.sh
. "$(dirname "${BASH_SOURCE[0]}")/proxies.sh"
require_jars "$bench_jar" "$examples_jar"
require_proxies

# One descriptor per waiting client in the runner and one in the proxy, plus the normal requests and
# the JVMs' own; the runner starts each proxy with what it needs, up to the hard limit.
need=$((2 * clients + 2048))
soft=$(ulimit -Sn)
hard=$(ulimit -Hn)
if [ "$soft" != unlimited ] && [ "$soft" -lt "$need" ]; then
  if [ "$hard" = unlimited ] || [ "$hard" -ge "$need" ]; then
    ulimit -Sn "$need"
  else
    ulimit -Sn "$hard"
  fi
fi
least=$((clients + 1024))
if [ "$(ulimit -Sn)" != unlimited ] && [ "$(ulimit -Sn)" -lt "$least" ]; then
  echo "ulimit -n is at most $hard here; $clients waiting clients need at least $least" \
    "(raise the hard limit as root, or use --clients $(( hard > 1024 ? hard - 1024 : 1 )))" >&2
  exit 1
fi
echo "ulimit -n $(ulimit -Sn) (hard $hard); load average $(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p upgrade-benchmarks/results
# The Java main starts and stops (by pid) every process of the run; on Ctrl-C its shutdown hook stops
# them. Its output is also kept in results/NAME.txt.
"$java" -cp "$bench_jar" io.github.upgrade4j.benchmarks.WaitingClients \
  --examples-jar "$examples_jar" --clients "$clients" ${args[@]+"${args[@]}"} \
  --out "upgrade-benchmarks/results/$name.json" > >(tee "upgrade-benchmarks/results/$name.txt") 2>&1 &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' INT TERM
status=0
wait "$pid" || status=$?
trap - INT TERM
exit "$status"
