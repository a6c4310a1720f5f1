#!/usr/bin/env bash
# Builds pelnas and runs the whole test suite with ctest (the command README.md and CI use).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BUILD_DIR=${PELNAS_BUILD_DIR:-build}
ctest --test-dir "$BUILD_DIR" --output-on-failure -j 2 "$@"
