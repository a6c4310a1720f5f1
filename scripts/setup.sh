#!/usr/bin/env bash
# Installs pelnas' build and run dependencies from Debian's packages. Idempotent: when every
# package is already installed it changes nothing and does not touch the network.
set -euo pipefail
PACKAGES=(
  build-essential cmake ninja-build pkg-config
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libsqlite3-dev libtomlplusplus-dev
  libpagmo-dev libboost-serialization-dev libtbb-dev libeigen3-dev
  libcpp-httplib-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libxgboost-dev
  libtorch-dev libopenblas0-pthread
  libopenmpi-dev openmpi-bin
  python3 python3-dev pybind11-dev python3-pytest python3-numpy   # the Python package (python/) and its tests
  chromium fonts-dejavu-core   # scripts/check_report_render.py renders the reports headless
  clang libclang-rt-14-dev     # scripts/sanitize_and_fuzz.sh: libFuzzer, ASan, UBSan
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
