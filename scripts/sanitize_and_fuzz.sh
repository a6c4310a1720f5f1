#!/usr/bin/env bash
# CI step: libFuzzer harnesses of fuzz/ built with clang + AddressSanitizer + UndefinedBehaviorSanitizer
# (every report fatal), each run for a bounded time from its checked-in seed corpus; any crash,
# sanitizer report, leak or timeout fails the step. Each harness compiles only the sources it
# exercises, so this costs a few minutes.
# With PELNAS_SANITIZE_TESTS=1 the same torch-free build also builds the whole core and the
# torch-free test suite and runs it under the sanitizers (about 40 CPU-minutes of compilation on
# the development machine: too slow for the 30-minute CI budget, so not the default).
#   PELNAS_FUZZ_SECONDS   seconds per harness (default 30)
#   PELNAS_FUZZERS        harnesses to run (default: all six)
#   PELNAS_SANITIZE_DIR   build directory (default build-sanitize)
#   PELNAS_JOBS           parallel jobs (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${PELNAS_SANITIZE_DIR:-build-sanitize}
JOBS=${PELNAS_JOBS:-2}
SECONDS_PER_FUZZER=${PELNAS_FUZZ_SECONDS:-30}
# fuzz_checkpoint drives the run-state loaders (checkpoint, journal, config) that validate every field.
FUZZERS=${PELNAS_FUZZERS:-arch_parse json_extract pickle csv toml_config checkpoint}
LAUNCHER=""
command -v ccache >/dev/null && LAUNCHER="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
start=$(date +%s)
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $LAUNCHER \
    -DPELNAS_SANITIZE=address,undefined -DPELNAS_WITH_TORCH=OFF -DPELNAS_FUZZ=ON -DPELNAS_BUILD_BENCH=OFF
fi
targets=()
for f in $FUZZERS; do targets+=("fuzz_$f"); done
[ "${PELNAS_SANITIZE_TESTS:-0}" = 1 ] && targets+=(pelnas_tests pelnas_cli)
cmake --build "$BUILD_DIR" -j "$JOBS" --target "${targets[@]}"
built=$(date +%s)
echo "sanitize: build took $((built - start)) s"

# halt_on_error / -fno-sanitize-recover make every report fatal; LeakSanitizer is on by default.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
if [ "${PELNAS_SANITIZE_TESTS:-0}" = 1 ]; then
  "$BUILD_DIR/tests/pelnas_tests" --gtest_brief=1
  echo "sanitize: torch-free tests took $(($(date +%s) - built)) s"
fi

fuzz_start=$(date +%s)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
summary=""
for fuzzer in $FUZZERS; do
  seeds=(fuzz/corpus/$fuzzer)
  case $fuzzer in
    pickle) seeds+=(tests/fixtures/hwnasbench) ;;
    toml_config) seeds+=(examples) ;;
  esac
  mkdir -p "$scratch/$fuzzer"  # new inputs go here; the checked-in corpus stays as it is
  log="$scratch/$fuzzer.log"
  artifacts="$PWD/$BUILD_DIR/fuzz-artifacts/$fuzzer/"
  mkdir -p "$artifacts"
  if ! "$BUILD_DIR/fuzz/fuzz_$fuzzer" -max_total_time="$SECONDS_PER_FUZZER" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$artifacts" "$scratch/$fuzzer" "${seeds[@]}" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "sanitize: fuzz_$fuzzer FAILED; the input is in $artifacts (make it a regression test)"
    exit 1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  summary+="  fuzz_$fuzzer: $execs executions in ${SECONDS_PER_FUZZER} s"$'\n'
done
echo "sanitize: fuzzing took $(($(date +%s) - fuzz_start)) s"
printf '%s' "$summary"
