#!/usr/bin/env bash
# Start-up time of pelnas commands that compute no proxies (issue 10 target: `pelnas --version` and
# `pelnas front` under 50 ms wall on a quiet machine). Runs each command N times per binary, the
# binaries interleaved run by run so machine load hits them alike, and prints min / median / mean
# wall time in ms, the CPU time (user + system) per run (what wall time approaches on a quiet
# machine; measured over a separate batch of RUNS runs, so its 10 ms clock resolution divides by
# RUNS), plus the peak RSS of the last run and how many shared objects the process maps.
#
#   scripts/bench_startup.sh [-n RUNS] [--data DIR] BINARY [REFERENCE_BINARY]
#
# e.g. scripts/bench_startup.sh -n 20 build/pelnas /tmp/pelnas-before
set -euo pipefail
RUNS=20
DATA=${PELNAS_DATA:-}
while [ $# -gt 0 ]; do
  case "$1" in
    -n) RUNS=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { echo "usage: $0 [-n RUNS] [--data DIR] BINARY [REFERENCE_BINARY]" >&2; exit 2; }
BINARIES=("$@")
for b in "${BINARIES[@]}"; do [ -x "$b" ] || { echo "bench_startup: $b is not an executable" >&2; exit 2; }; done
DATA_ARGS=()
[ -n "$DATA" ] && DATA_ARGS=(--data "$DATA")
COMMANDS=("--version" "front --device fpga")

now_ns() { date +%s%N; }

# Shared objects mapped by a process running `BINARY ARGS` (LD_DEBUG lists every object loaded).
count_libs() {
  local b=$1; shift
  LD_DEBUG=files "$b" "$@" 2>&1 >/dev/null | grep -c "calling init:" || true
}

summarise() {  # stdin: one number (ns) per line -> "min median mean" in ms
  sort -n | awk '{v[NR]=$1; s+=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2;
    printf "%8.1f %8.1f %8.1f", v[1]/1e6, m/1e6, s/NR/1e6}'
}

printf "load average: %s  (%s cores); %d runs per command and binary, interleaved\n" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)" "$RUNS"
printf "%-28s %-40s %8s %8s %8s %8s %8s %6s\n" "command" "binary" "min_ms" "med_ms" "mean_ms" "cpu_ms" "rss_MB" "libs"
for cmd in "${COMMANDS[@]}"; do
  read -r -a args <<<"$cmd"
  [ "${args[0]}" = "front" ] && args+=("${DATA_ARGS[@]}")
  declare -A times=()
  for b in "${BINARIES[@]}"; do "$b" "${args[@]}" >/dev/null; times[$b]=""; done  # warm the page cache
  for ((i = 0; i < RUNS; i++)); do
    for b in "${BINARIES[@]}"; do
      t0=$(now_ns); "$b" "${args[@]}" >/dev/null; t1=$(now_ns)
      times[$b]+="$((t1 - t0))"$'\n'
    done
  done
  for b in "${BINARIES[@]}"; do
    rss=$( { /usr/bin/time -f "%M" "$b" "${args[@]}" >/dev/null; } 2>&1 | tail -1)
    cpu=$( { /usr/bin/time -f "%U %S" bash -c 'b=$1; n=$2; shift 2; for ((i = 0; i < n; i++)); do "$b" "$@" >/dev/null; done' \
             _ "$b" "$RUNS" "${args[@]}"; } 2>&1 | tail -1)
    printf "%-28s %-40s %s %8.1f %8.1f %6s\n" "pelnas $cmd" "$b" "$(printf "%s" "${times[$b]}" | summarise)" \
      "$(awk -v c="$cpu" -v n="$RUNS" 'BEGIN{split(c, a, " "); print (a[1] + a[2]) * 1000 / n}')" \
      "$(awk -v k="$rss" 'BEGIN{print k/1024}')" "$(count_libs "$b" "${args[@]}")"
  done
  unset times
done
