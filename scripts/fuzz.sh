#!/usr/bin/env bash
# Fuzzes each Jazzer target of upgrade-core for a while, one Maven run per target:
#
#   scripts/fuzz.sh [MINUTES] [Class#method ...]      (default: 2 minutes, every target below)
#   scripts/fuzz.sh 10 HopByHopPolicyFuzzTest#stripsAnyHeadSafely
#
# Each run is `JAZZER_FUZZ=1 ./mvnw -pl upgrade-core test -Dtest=<target>` with JAZZER_MAX_DURATION set,
# which overrides @FuzzTest(maxDuration). Its whole output goes to upgrade-core/target/fuzz/<target>.log;
# the summary printed here is Jazzer's own: executions, coverage (cov: edges, ft: features) and corpus size.
# Every target starts from the shared seed corpus, upgrade-core/src/test/fuzz-corpus/ (the build copies it
# into each target's inputs folder), and from its own seeds.
# A finding fails the run, is written by Jazzer into src/test/resources/.../<Class>Inputs/<method>/ as a
# crash-* file (commit it there: it becomes a regression seed of that target; a raw head every target can
# use may go to the shared corpus instead), and makes this script exit 1 after all targets ran.
# The generated corpus goes to upgrade-core/.cifuzz-corpus/ (ignored by git); delete it for a cold start.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO_ROOT
readonly DEFAULT_TARGETS=(
  Http1ParserFuzzTest#parsesAnyBytesSafely
  FieldListFuzzTest#splitsAnyListSafely
  HopByHopPolicyFuzzTest#stripsAnyHeadSafely
  UpgradeNegotiatorFuzzTest#decidesAnyRequestSafely
  ProxyUpgradeFuzzTest#forwardsAndJudgesAnyHeadsSafely
)

minutes=${1:-2}
if ! [[ $minutes =~ ^[0-9]+$ ]] || ((minutes < 1)); then
  printf 'usage: %s [MINUTES] [Class#method ...]\n' "$0" >&2
  exit 2
fi
shift || true
if (($# > 0)); then
  targets=("$@")
else
  targets=("${DEFAULT_TARGETS[@]}")
fi

cd "$REPO_ROOT"
mkdir -p upgrade-core/target/fuzz
failed=0
for target in "${targets[@]}"; do
  log=upgrade-core/target/fuzz/${target/\#/.}.log
  printf '==> fuzzing %s for %d min (log: %s)\n' "$target" "$minutes" "$log"
  status=0
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION=${minutes}m ./mvnw -B -ntp -pl upgrade-core test \
    -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false </dev/null >"$log" 2>&1 || status=$?
  # libFuzzer's last status line and its "Done" line, wherever surefire put the fork's native output.
  summary=$(cat "$log" upgrade-core/target/surefire-reports/*.dumpstream 2>/dev/null \
    | grep -aE '^#[0-9]+.*(cov|DONE)|^Done [0-9]+ runs' | tail -n 2 | tr '\n' ' ' || true)
  printf '    %s\n' "${summary:-no libFuzzer statistics found; see the log}"
  if ((status != 0)); then
    printf '    FAILED (exit %d): a finding or a build error; see %s\n' "$status" "$log"
    grep -aE 'crash-|FuzzTestFindingException|== Java Exception' "$log" | head -n 5 | sed 's/^/    /' || true
    failed=1
  fi
done
exit "$failed"
