#!/usr/bin/env bash
# Predicted-accuracy PEL-NAS search against the validation-table search and the baselines on CIFAR-10
# (the figures of docs/PROTOCOL.md). Every grid shares one proxy cache (PELNAS_PROXY_CACHE), so an
# arch's proxies are computed once for all seeds, devices and algorithms, and a killed step resumes
# from the cache when rerun. Steps (each skipped when its OUT/<step>/summary.json exists):
#   cost     build/bench/proxies_torch_bench: default 9 proxies vs all 13, interleaved, wall + CPU
#   pred     pelnas on --accuracy predictor, budget 324 (the 6 x 10 default plan), fpga+eyeriss
#   valid    pelnas, nsga2, random on table:valid, budget 324, all six devices (seconds)
#   predall  pelnas on --accuracy predictor on the remaining devices
#   predbase nsga2 and random on --accuracy predictor, BASE_DEVICES (default all six)
#   variants predictor variants (VARIANTS: the default, the former default, ablations) predict the
#            pool: every arch of the shipped table and of the proxy cache (no proxy is computed);
#            scripts/predictor_search_analysis.py --predictions compares them
# Usage: scripts/predictor_search_experiment.sh [OUT] [SEEDS] [STEPS]
#   OUT   default runs/predexp; SEEDS default 10; STEPS default "cost pred valid predall"
# Env: PELNAS (default build/pelnas), PELNAS_PROXY_CACHE (default OUT/proxies.sqlite), NICE (10),
#      PRED_DEVICES ("fpga,eyeriss"), OTHER_DEVICES ("edgegpu,raspi4,edgetpu,pixel3"), BASE_DEVICES (all six),
#      OMP_NUM_THREADS (torch threads per proxy computation; unset = 2).
# Then: scripts/predictor_search_analysis.py OUT/pred OUT/predall OUT/predbase OUT/valid
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/predexp}
SEEDS=${2:-10}
STEPS=${3:-cost pred valid predall}
PELNAS=${PELNAS:-build/pelnas}
NICE=${NICE:-10}
export PELNAS_PROXY_CACHE=${PELNAS_PROXY_CACHE:-$OUT/proxies.sqlite}
PRED_DEVICES=${PRED_DEVICES:-fpga,eyeriss}
OTHER_DEVICES=${OTHER_DEVICES:-edgegpu,raspi4,edgetpu,pixel3}
ALL_DEVICES=edgegpu,raspi4,edgetpu,pixel3,eyeriss,fpga
BASE_DEVICES=${BASE_DEVICES:-$ALL_DEVICES}
mkdir -p "$OUT"

log() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$OUT/log.txt"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

grid() {  # name accuracy algos devices
  local name=$1 acc=$2 algos=$3 devices=$4
  if [ -f "$OUT/$name/summary.json" ]; then log "$name: done already"; return; fi
  log "$name: start (load $(load)); cache $PELNAS_PROXY_CACHE"
  /usr/bin/time -f "%e s wall, %U s user, %S s sys" -o "$OUT/$name.time" \
    nice -n "$NICE" "$PELNAS" bench --accuracy "$acc" --algos "$algos" --datasets cifar10 --devices "$devices" \
    --seeds "$SEEDS" --budget 324 --threads 1 --curve-step 324 --out "$OUT/$name" --overwrite \
    > "$OUT/$name.out" 2> "$OUT/$name.err"
  log "$name: end (load $(load)); $(cat "$OUT/$name.time")"
}

for step in $STEPS; do
  case $step in
    cost)
      if [ -f "$OUT/cost.json" ]; then log "cost: done already"; continue; fi
      log "cost: start (load $(load))"
      nice -n "$NICE" build/bench/proxies_torch_bench --benchmark_filter=BM_DefaultVsAllProxiesCifar10 \
        --benchmark_format=json > "$OUT/cost.json.tmp" 2> "$OUT/cost.err"
      mv "$OUT/cost.json.tmp" "$OUT/cost.json"
      log "cost: end (load $(load))"
      ;;
    pred) grid pred predictor pelnas "$PRED_DEVICES" ;;
    valid) grid valid valid pelnas,nsga2,random "$ALL_DEVICES" ;;
    predall) grid predall predictor pelnas "$OTHER_DEVICES" ;;
    predbase) grid predbase predictor nsga2,random "$BASE_DEVICES" ;;
    variants)
      mkdir -p "$OUT/variants"
      { tail -n +2 models/proxies_cifar10.csv | cut -d, -f2
        sqlite3 "$PELNAS_PROXY_CACHE" "SELECT arch FROM proxy_rows WHERE dataset = 'cifar10'"; } | sort -u > "$OUT/variants/pool.txt"
      log "variants: pool of $(wc -l < "$OUT/variants/pool.txt") archs"
      # VARIANTS: "name:options; name:options; ..." replaces the list. "former" is the default before
      # 2026-11-30 late (one-hot, no graph features, plain accuracy, unweighted); the others ablate
      # the current default.
      VARIANTS=${VARIANTS:-"default:--train 1000; former:--train 1000 --one-hot --no-graph-features --label-transform none --top-weight 1;
        onehot:--train 1000 --one-hot; nograph:--train 1000 --no-graph-features; plainacc:--train 1000 --label-transform none;
        unweighted:--train 1000 --top-weight 1; ens5:--train 1000 --ensemble 5"}
      mapfile -t vlist < <(echo "$VARIANTS" | tr ';' '\n' | sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//' | grep .)
      for v in "${vlist[@]}"; do
        name=${v%%:*}
        # shellcheck disable=SC2086
        [ -f "$OUT/variants/$name.json" ] ||  # trained once; the pool may grow between calls
          nice -n "$NICE" "$PELNAS" predictor train --dataset cifar10 ${v#*:} --out "$OUT/variants/$name.json" \
            > "$OUT/variants/$name.train" 2>&1
        nice -n "$NICE" "$PELNAS" predictor predict --model "$OUT/variants/$name.json" --archs "$OUT/variants/pool.txt" \
          > "$OUT/variants/$name.csv" 2> "$OUT/variants/$name.err"
        log "variants: $name: $(tail -1 "$OUT/variants/$name.err")"
      done
      ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
done
