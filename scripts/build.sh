#!/usr/bin/env bash
# Configures and builds pelnas in ./build (Release, -j2 by default). Runs setup first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${PELNAS_BUILD_DIR:-build}
JOBS=${PELNAS_JOBS:-2}
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release ${PELNAS_CMAKE_ARGS:-}
fi
cmake --build "$BUILD_DIR" -j "$JOBS"
