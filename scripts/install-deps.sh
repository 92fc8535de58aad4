#!/bin/sh
# Installs the Debian packages collapse needs, only those that are missing.
# Usage: scripts/install-deps.sh [build|test|bench]
#   build: compilers' libraries and tools; test: + headless Chromium, python3 (the report test
#   drives Chromium over its DevTools pipe with the standard library) and xmllint, and clang with
#   libFuzzer (libclang-rt-dev: libclang-rt-14-dev on Debian 12) and its OpenMP runtime
#   (libomp-dev) for the fuzz harnesses (fuzz/), and MPICH (mpich, libmpich-dev: the MPI build and
#   tests/cli_mpi.sh); bench: + the peers the benchmarks compare against
#   (numpy, scikit-learn, NLTK, IRSTLM, PyTorch on OpenBLAS) and R for scripts/zoo-peers.sh.
set -eu
pkgs="cmake pkg-config libgsl-dev libinih-dev libcjson-dev libcmocka-dev libcairo2-dev zlib1g-dev nodejs npm libopenblas-dev"
case "${1:-build}" in
  build) ;;
  test) pkgs="$pkgs chromium python3 libxml2-utils clang libclang-rt-dev libomp-dev mpich libmpich-dev" ;;
  bench) pkgs="$pkgs python3 python3-numpy python3-sklearn python3-scipy python3-nltk irstlm python3-torch libopenblas0-pthread"
         # the papers' own code beside collapse (scripts/zoo-peers.sh): Dey & Donoho's is R
         pkgs="$pkgs r-base-core" ;;
  *) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac
# test also: the Python package (tests/cli_python.sh: numpy, pandas, pip, setuptools, wheel) and
# make install (tests/cli_install.sh: man-db and col for the man pages)
[ "${1:-build}" = test ] && pkgs="$pkgs python3-numpy python3-pandas python3-pip python3-setuptools python3-wheel man-db bsdextrautils"
missing=""
for p in $pkgs; do
  # a tool already on PATH counts (e.g. npm bundled with another nodejs build)
  case "$p" in
    cmake|npm|python3|chromium|clang) command -v "$p" >/dev/null 2>&1 && continue ;;
    libxml2-utils) command -v xmllint >/dev/null 2>&1 && continue ;;
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    pkg-config) command -v pkg-config >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "collapse: installing Debian packages:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing >&2
