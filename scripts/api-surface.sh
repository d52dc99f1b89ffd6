#!/usr/bin/env bash
# Counts upgrade-core's public API from its compiled classes (javap -public): types, methods and
# constructors (without the equals/hashCode/toString/values/valueOf that records and enums generate), and
# constants. Compare two commits by building each and running this on both:
#
#   ./mvnw -B -ntp -q -pl upgrade-core compile && scripts/api-surface.sh            # summary
#   scripts/api-surface.sh --list > api.txt                                         # one line per member
set -euo pipefail
classes="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/upgrade-core/target/classes"
[ -d "$classes/io" ] || { echo "missing $classes: compile upgrade-core first" >&2; exit 1; }
cd "$classes"
list=$(find io -name '*.class' | sed 's/\.class$//; s#/#.#g' | sort \
  | xargs javap -public -cp . 2>/dev/null | awk '
    /^(public|protected).*(class|interface|enum|record) / { cls = $0; sub(/ (extends|implements|permits) .*/, "", cls);
                                                            sub(/ \{$/, "", cls); print "TYPE " cls; next }
    /^  (public|protected)/ { print "  " cls " :: " $0 }' | sed 's/  */ /g' | sort -u)
if [ "${1:-}" = --list ]; then
  printf '%s\n' "$list"
  exit 0
fi
types=$(printf '%s\n' "$list" | grep -c '^TYPE' || true)
constants=$(printf '%s\n' "$list" | grep -c 'static final' || true)
members=$(printf '%s\n' "$list" | grep -v '^TYPE' | grep -v 'static final' \
  | grep -vc 'equals(java.lang.Object)\|hashCode()\|toString()\|valueOf(java.lang.String)\|\[\] values()' || true)
echo "types $types, methods and constructors $members, constants $constants"
