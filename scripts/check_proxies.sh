#!/usr/bin/env bash
# Checks of the LibTorch zero-cost proxies against published numbers (issue 3):
#  1. the NB201 module's parameter count (and the analytic FLOPs) vs the table, all 15,625 archs;
#  2. Spearman of our proxies vs NAS-Bench-Suite-Zero (nb201_zc_subset.csv) and vs test accuracy.
# NAS-Bench-Suite-Zero used minibatches of 32 on NB201 (its jacov values are all <= -32, the bound
# for 32 rows), so the comparison uses --batch-size 32. LIMIT subsamples the ~725 archs (seeded).
# On a shared machine set OMP_WAIT_POLICY=passive: spinning OpenMP workers cost ~6x CPU under load.
set -euo pipefail
cd "$(dirname "$0")/.."
PELNAS=${PELNAS:-build/pelnas}
LIMIT=${LIMIT:-}
DATASETS=${DATASETS:-cifar10}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
for d in $DATASETS; do
  "$PELNAS" proxies --check-params --dataset "$d" --threads 1
  "$PELNAS" proxies --compare-zc --dataset "$d" --batch-size 32 --seed 0 ${LIMIT:+--limit "$LIMIT"}
done
