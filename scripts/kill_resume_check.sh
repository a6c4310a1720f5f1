#!/usr/bin/env bash
# kill -9 at random moments of the search, then `pelnas search --resume`, until the run finishes:
# its archive, front and metrics must equal an uninterrupted run's with the same seed (evolution
# operator). Registered with ctest (tests/CMakeLists.txt), so CI runs it; seconds per seed.
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
COMMON=(search --operator evolution --generations 20 --data "$DATA")

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
lines() { [ -f "$1" ] && wc -l < "$1" || echo 0; }
# Waits until the process has logged a new event (run_started / run_resumed: start-up is over) or died.
wait_for_search() {
  local pid=$1 log=$2 before=$3
  while kill -0 "$pid" 2>/dev/null && [ "$(lines "$log")" -le "$before" ]; do sleep 0.01; done
}

for seed in "${SEEDS[@]}"; do
  "$BIN" "${COMMON[@]}" --seed "$seed" --out "$WORK/ref-$seed" >/dev/null 2>&1 &
  pid=$!
  wait_for_search "$pid" "$WORK/ref-$seed/events.jsonl" 0
  t0=$(now_ms)
  wait "$pid"
  search_ms=$(( $(now_ms) - t0 + 1 ))  # the search itself, without start-up
  run="$WORK/killed-$seed"
  kills=0
  args=("${COMMON[@]}" --seed "$seed" --out "$run")
  for attempt in $(seq 1 30); do
    before=$(lines "$run/events.jsonl")
    "$BIN" "${args[@]}" >/dev/null 2>"$WORK/err" &
    pid=$!
    wait_for_search "$pid" "$run/events.jsonl" "$before"
    # A random moment in the first half of an uninterrupted search: a generation or a state write.
    ms=$(( RANDOM * search_ms / 65536 ))
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
    wait "$pid" 2>/dev/null || true
    [ -f "$run/summary.json" ] && break
    if [ -f "$run/config.json" ]; then
      args=(search --resume "$run" --data "$DATA")
    else
      rm -rf "$run"  # killed before config.json: start again
    fi
  done
  if [ ! -f "$run/summary.json" ]; then  # let it finish without a kill
    "$BIN" "${args[@]}" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }
  fi
  for f in archive.csv front.csv metrics.csv knowledge/history.jsonl; do
    if ! cmp -s "$WORK/ref-$seed/$f" "$run/$f"; then
      echo "seed $seed: $f differs from the uninterrupted run after $kills kills"
      diff "$WORK/ref-$seed/$f" "$run/$f" | head -20
      exit 1
    fi
  done
  echo "seed $seed: identical archive, front, metrics and knowledge history after $kills kill(s) (search ${search_ms} ms uninterrupted)"
done
