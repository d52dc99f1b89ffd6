#!/usr/bin/env bash
# Builds the Maven Central bundle of a release the way `-Prelease deploy` does, without uploading it, and
# checks that it holds what Central validates: the parent POM, and upgrade-core's POM, jar, -sources.jar and
# -javadoc.jar, each with its .md5 and .sha1 (the plugin adds .sha256 and .sha512) and, with --sign, its .asc;
# nothing of upgrade-benchmarks or src-examples. It works in a clone of the committed HEAD under
# target/release-dry-run with the version set there, so the working tree and ~/.m2 keep the SNAPSHOT.
#
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 scripts/release-dry-run.sh [VERSION] [--sign] [-- MAVEN_ARGS...]
#
# VERSION defaults to the project's version without -SNAPSHOT. Without --sign nothing is signed (-Dgpg.skip);
# with it gpg signs with its default key, as the release does. MAVEN_ARGS default to -DskipTests (which skips
# the consumer check too); pass `--` and nothing to run every test as the release does.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version="" sign=false maven_args=(-DskipTests)
while (($#)); do
  case $1 in
    --sign) sign=true ;;
    --) shift; maven_args=("$@"); break ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) version=$1 ;;
  esac
  shift
done
if [[ -z $version ]]; then
  version=$(sed -n 's#^  <version>\(.*\)</version>#\1#p' "$root/pom.xml" | head -n 1)
  version=${version%-SNAPSHOT}
fi

work=$root/target/release-dry-run
rm -rf "$work"
git clone -q --no-checkout "$root" "$work"
git -C "$work" checkout -q --detach "$(git -C "$root" rev-parse HEAD)"
cd "$work"
echo "==> dry run of release $version from $(git rev-parse --short HEAD) in $work"
./mvnw -B -ntp -q versions:set -DnewVersion="$version" -DgenerateBackupPoms=false
gpg_args=(-Dgpg.skip)
! $sign || gpg_args=()
# maven.install.skip: the release version must not land in ~/.m2, where it would shadow the real one later.
./mvnw -B -ntp -Prelease -DskipUpload -Dmaven.install.skip "${gpg_args[@]}" "${maven_args[@]}" clean deploy

bundle=$work/target/central-publishing/central-bundle.zip
entries=$(unzip -Z1 "$bundle" | sort)
printf '%s\n' "$entries" | sed 's/^/    /'
group=io/github/upgrade4j
suffixes=("" .md5 .sha1)
! $sign || suffixes+=(.asc)
missing=0
for file in "upgrade4j-parent/$version/upgrade4j-parent-$version.pom" "upgrade-core/$version/upgrade-core-$version.pom" \
    "upgrade-core/$version/upgrade-core-$version.jar" "upgrade-core/$version/upgrade-core-$version-sources.jar" \
    "upgrade-core/$version/upgrade-core-$version-javadoc.jar"; do
  for suffix in "${suffixes[@]}"; do
    grep -qxF "$group/$file$suffix" <<<"$entries" || { echo "missing from the bundle: $group/$file$suffix" >&2; missing=1; }
  done
done
others=$(grep -vE "^$group/(upgrade4j-parent|upgrade-core)/$version/" <<<"$entries" || true)
[[ -z $others ]] || { printf 'not to be published, but in the bundle:\n%s\n' "$others" >&2; missing=1; }
((missing == 0)) || { echo "==> bundle $bundle is incomplete" >&2; exit 1; }
echo "==> bundle OK: $(wc -l <<<"$entries") files in $bundle"
