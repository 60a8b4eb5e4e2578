#!/usr/bin/env bash
# Installs what building and testing edge-rt-async needs, from Debian bookworm's packages.
# Idempotent and quiet: installs only what is missing, prints apt's log only on failure.
#   install-deps.sh          build + test dependencies for this machine
#   install-deps.sh --cross  also the aarch64 cross toolchain, qemu-user and arm64 libraries
set -euo pipefail

cross=0
for arg in "$@"; do
  case "$arg" in
    --cross) cross=1 ;;
    *) echo "install-deps.sh: unknown argument '$arg' (expected --cross)" >&2; exit 2 ;;
  esac
done

native_pkgs=(meson ninja-build pkg-config g++ ccache file python3
  libasio-dev liburing-dev libfmt-dev nlohmann-json3-dev libboost-program-options-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev catch2
  gnuplot-nox # bench --plot draws its PNGs with gnuplot
  clang libclang-rt-14-dev) # the fuzz build (test/fuzz): clang 14 and its libFuzzer/ASan runtimes
cross_pkgs=(g++-aarch64-linux-gnu qemu-user
  liburing-dev:arm64 libfmt-dev:arm64 libboost-program-options-dev:arm64
  libtomlplusplus-dev:arm64 libgtest-dev:arm64 libgmock-dev:arm64)

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps.sh: run as root or install sudo" >&2; exit 1; }
  as_root=(sudo)
fi

missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

wanted=("${native_pkgs[@]}")
# The service test drives `serve` with the official openai npm client. A Node.js that is already
# there (e.g. NodeSource's, which bundles npm and conflicts with Debian's npm package) is used.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  wanted+=(nodejs npm)
fi
if [ "$cross" -eq 1 ]; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    "${as_root[@]}" dpkg --add-architecture arm64
  fi
  wanted+=("${cross_pkgs[@]}")
fi

# The openai client of the service test, at the version package-lock.json pins.
install_npm_client() {
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/test/service/client"
  [ -d "$dir/node_modules/openai" ] && return 0
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
    { echo "install-deps.sh: npm ci in $dir failed" >&2; exit 1; }
}

mapfile -t todo < <(missing "${wanted[@]}")
if [ "${#todo[@]}" -eq 0 ]; then
  install_npm_client
  exit 0
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "install-deps.sh: installing ${#todo[@]} packages: ${todo[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { "${as_root[@]}" apt-get update -qq && \
       "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${todo[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-deps.sh: apt-get failed" >&2
  exit 1
fi
install_npm_client
