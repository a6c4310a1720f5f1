#!/usr/bin/env bash
# Configures and builds pelnas in ./build (Release, -j2 by default). Runs setup first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${PELNAS_BUILD_DIR:-build}
JOBS=${PELNAS_JOBS:-2}
LAUNCHER=""
# A compiler cache, where one is installed, makes rebuilds and extra work trees cheap.
command -v ccache >/dev/null && LAUNCHER="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release $LAUNCHER ${PELNAS_CMAKE_ARGS:-}
fi
cmake --build "$BUILD_DIR" -j "$JOBS"
