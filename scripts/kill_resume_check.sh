#!/usr/bin/env bash
# kill -9 at random moments, then `pelnas search --resume`, until the run finishes: its archive,
# front and metrics must equal an uninterrupted run's with the same seed (evolution operator).
# Registered with ctest (tests/CMakeLists.txt), so CI runs it; a few seconds per seed.
# Usage: kill_resume_check.sh PELNAS_BIN [SEEDS...]   (env: PELNAS_DATA, KILL_SCHEDULE_SEED)
set -euo pipefail
BIN=${1:?usage: kill_resume_check.sh PELNAS_BIN [SEEDS...]}
shift
SEEDS=("$@")
[ ${#SEEDS[@]} -gt 0 ] || SEEDS=(21 22)
RANDOM=${KILL_SCHEDULE_SEED:-$$}  # the kill schedule; printed so a failure can be replayed
echo "kill schedule seed: ${KILL_SCHEDULE_SEED:-$$}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# The data as the tests find it: $PELNAS_DATA, else ../shared/data next to the source tree.
DATA=${PELNAS_DATA:-$(cd "$(dirname "$0")/../.." && pwd)/shared/data}
DATA_ARGS=(--data "$DATA")
COMMON=(search --operator evolution --generations 8 "${DATA_ARGS[@]}")

for seed in "${SEEDS[@]}"; do
  "$BIN" "${COMMON[@]}" --seed "$seed" --out "$WORK/ref-$seed" >/dev/null 2>&1
  run="$WORK/killed-$seed"
  kills=0
  args=("${COMMON[@]}" --seed "$seed" --out "$run")
  for attempt in $(seq 1 40); do
    "$BIN" "${args[@]}" >/dev/null 2>"$WORK/err" &
    pid=$!
    # A random moment in the first ~0.6 s: data loading, a generation, or a state write.
    sleep "0.$(printf '%03d' $((RANDOM % 600)))"
    if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
    wait "$pid" 2>/dev/null || true
    [ -f "$run/summary.json" ] && break
    [ -f "$run/config.json" ] && args=(search --resume "$run" "${DATA_ARGS[@]}")
    [ -d "$run" ] && [ ! -f "$run/config.json" ] && rm -rf "$run"  # killed before config.json: start again
  done
  if [ ! -f "$run/summary.json" ]; then  # let it finish without a kill
    "$BIN" "${args[@]}" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }
  fi
  for f in archive.csv front.csv metrics.csv; do
    if ! cmp -s "$WORK/ref-$seed/$f" "$run/$f"; then
      echo "seed $seed: $f differs from the uninterrupted run after $kills kills"
      diff "$WORK/ref-$seed/$f" "$run/$f" | head -20
      exit 1
    fi
  done
  echo "seed $seed: identical archive, front and metrics after $kills kill(s)"
done
