#!/usr/bin/env bash
# The README's first command: install dependencies, build, run a PEL-NAS search with the defaults
# (CIFAR-10, FPGA latency, 6 niches x 10 generations) and write its HTML report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BUILD_DIR=${PELNAS_BUILD_DIR:-build}
RUN_DIR=${1:-runs/quickstart-$(date +%Y%m%d-%H%M%S)}
"$BUILD_DIR/pelnas" search --out "$RUN_DIR"
"$BUILD_DIR/pelnas" report "$RUN_DIR" -o "$RUN_DIR/report.html"
echo "open $RUN_DIR/report.html to see the run"
