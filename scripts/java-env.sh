# Sourced by bin/outpost, scripts/test and .ci/run: finds a JDK 21 or newer and exports JAVA_HOME.
# Order: $JAVA_HOME, then `java` on PATH, then /usr/lib/jvm/*. Prints one line and fails when none.

outpost_java_version() {
  # The feature release of the java at $1 (8 for 1.8), or nothing.
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | sed 's/^1\.//' | head -1
}

outpost_find_jdk() {
  local candidates=() c v home
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(readlink -f "$(command -v java)")")
  for c in /usr/lib/jvm/*/bin/java; do [ -x "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c" ] || continue
    v=$(outpost_java_version "$c")
    if [ -n "$v" ] && [ "$v" -ge 21 ] 2>/dev/null; then
      home=$(dirname "$(dirname "$(readlink -f "$c")")")
      if [ -x "$home/bin/javac" ]; then
        export JAVA_HOME="$home"
        OUTPOST_JAVA_VERSION="$v"
        return 0
      fi
    fi
  done
  echo "outpost: needs a JDK 21 or newer; none found in JAVA_HOME, on PATH or under /usr/lib/jvm (install one, e.g. Temurin 21)" >&2
  return 1
}
