# Shared by compare.sh and waiting.sh (sourced, not run): checks that the jars they drive were built, and
# installs nginx and HAProxy with apt-get when they are missing (as root; otherwise it says how).

# require_jars JAR...: stops with the build command when one is missing.
require_jars() {
  local jar
  for jar in "$@"; do
    if [ ! -f "$jar" ]; then
      echo "missing $jar: build first with ./mvnw -B -ntp -DskipTests package" >&2
      exit 1
    fi
  done
}

# require_proxies: nginx and haproxy on PATH (Debian puts them in /usr/sbin).
require_proxies() {
  local missing=()
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "missing ${missing[*]}: install with sudo apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
    echo "installing ${missing[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  export PATH="$PATH:/usr/sbin:/sbin"
}
