#!/usr/bin/env bash
# MPI scaling on one machine, measured side by side (fresh proxy caches, so everything is computed):
#   predictor table on a 64-arch sample: 1 rank x 2 torch threads vs 2 ranks x 1 thread
#   a benchmark grid: 1 rank vs 2 ranks (one run at a time per rank)
# Usage: bench/mpi_scaling.sh [BUILD_DIR] [ARCHS] [SEEDS]; prints wall seconds and ratios.
# Say the machine's load when quoting the figures (uptime is printed before and after).
set -euo pipefail
BUILD=${1:-build}
ARCHS=${2:-64}
SEEDS=${3:-4}
PELNAS=$(realpath "$BUILD/pelnas")
MPI=(mpirun --oversubscribe --bind-to none)
[ "$(id -u)" -eq 0 ] && MPI+=(--allow-run-as-root)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export PELNAS_MODELS=$WORK
wall() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>"$WORK/last.err" || { cat "$WORK/last.err"; exit 1; }; t1=$(date +%s.%N); awk "BEGIN{printf \"%.1f\", $t1 - $t0}"; }
ratio() { awk "BEGIN{printf \"%.2f\", $1 / $2}"; }
echo "load before: $(uptime)"
TABLE=(predictor table --dataset cifar10 --sample "$ARCHS" --json)
a=$(wall env OMP_NUM_THREADS=2 "$PELNAS" "${TABLE[@]}" --cache "$WORK/a.sqlite" --out "$WORK/a.csv")
b=$(wall env OMP_NUM_THREADS=1 "${MPI[@]}" -np 2 "$PELNAS" "${TABLE[@]}" --cache "$WORK/b.sqlite" --out "$WORK/b.csv")
cmp -s "$WORK/a.csv" "$WORK/b.csv" && same=identical || same=DIFFERENT
echo "predictor table, $ARCHS archs, batch 64: 1 rank x 2 threads ${a}s; 2 ranks x 1 thread ${b}s; ratio $(ratio "$a" "$b") (tables: $same values, thread counts differ)"
GRID=(bench --algos random,rea,nsga2 --devices fpga,eyeriss,raspi4,pixel3 --seeds "$SEEDS" --budget 300 --threads 1)
c=$(wall "$PELNAS" "${GRID[@]}" --out "$WORK/g1")
d=$(wall "${MPI[@]}" -np 2 "$PELNAS" "${GRID[@]}" --out "$WORK/g2")
cmp -s "$WORK/g1/curves.csv" "$WORK/g2/curves.csv" && same=identical || same=DIFFERENT
echo "bench grid, $((12 * SEEDS)) runs of budget 300: 1 rank ${c}s; 2 ranks ${d}s; ratio $(ratio "$c" "$d") (curves.csv $same)"
echo "load after: $(uptime)"
