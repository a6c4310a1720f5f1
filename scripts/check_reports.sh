#!/usr/bin/env bash
# CI: writes the reports a user sees (a run, an unfinished run, runs compared, a bench grid) and
# checks them in headless Chromium at two widths (scripts/check_report_render.py): no console
# errors, every chart with its axis labels, legends and labels not clipped, no page overflow.
# About 2 minutes on a loaded 2-core machine. Pass --shots DIR to keep screenshots.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PELNAS_BUILD_DIR:-build}
OUT=${PELNAS_RENDER_DIR:-runs/ci-render}
P="$BUILD_DIR/pelnas"
rm -rf "$OUT"
mkdir -p "$OUT"
# pixel3: its true front starts at a degenerate 10 % cell, the case the front zoom is for.
"$P" search --dataset cifar10 --device pixel3 --seed 1 --generations 3 --out "$OUT/pixel3-s1" > /dev/null
"$P" search --dataset cifar10 --device pixel3 --seed 2 --generations 3 --out "$OUT/pixel3-s2" > /dev/null
"$P" search --dataset cifar10 --device pixel3 --seed 3 --generations 3 --stop-after-generation 1 --out "$OUT/pixel3-stopped" > /dev/null
"$P" report "$OUT/pixel3-s1" -o "$OUT/run.html"
"$P" report "$OUT/pixel3-stopped" -o "$OUT/unfinished.html"
"$P" report "$OUT/pixel3-s1" "$OUT/pixel3-s2" "$OUT/pixel3-stopped" -o "$OUT/compare.html"
"$P" bench --algos random,rea,nsga2 --datasets cifar10 --devices fpga,pixel3 --seeds 3 --budget 150 --out "$OUT/bench" > /dev/null
"$P" report "$OUT/bench" -o "$OUT/bench.html"
# Three objectives: the compare and bench reports draw one front chart per cost (a few seconds).
"$P" search --device fpga --objectives accuracy,latency,energy --operator evolution --seed 1 --budget 60 --out "$OUT/three-s1" > /dev/null
"$P" search --device fpga --objectives accuracy,latency,energy --operator evolution --seed 2 --budget 60 --out "$OUT/three-s2" > /dev/null
"$P" report "$OUT/three-s1" "$OUT/three-s2" -o "$OUT/compare3.html"
"$P" bench --algos random,rea --devices eyeriss --objectives accuracy,latency,energy --seeds 2 --budget 60 --out "$OUT/bench3" > /dev/null
"$P" report "$OUT/bench3" -o "$OUT/bench3.html"
"$P" runs "$OUT"
python3 scripts/check_report_render.py "$@" "$OUT/run.html" "$OUT/unfinished.html" "$OUT/compare.html" "$OUT/bench.html" \
  "$OUT/compare3.html" "$OUT/bench3.html"
