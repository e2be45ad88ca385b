#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the suite needs, builds once with ASan+UBSan,
# runs every test through ctest in parallel on that build, runs the tests that use threads again
# in a small TSan build, then runs each libFuzzer target briefly on its committed corpus.
# Env: LINTEL_BUILD_DIR (default build/ci), LINTEL_SKIP_DEPS=1 (skip apt; npm only when missing),
# LINTEL_SANITIZE (the suite build's sanitizers, default address-undefined; OFF for a plain build),
# LINTEL_TSAN=0 (skip the TSan pass), LINTEL_FUZZ_SECONDS (default 15, 0 = skip).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${LINTEL_BUILD_DIR:-$root/build/ci}
fuzz_build=${LINTEL_FUZZ_BUILD_DIR:-$root/build/fuzz}
tsan_build=${LINTEL_TSAN_BUILD_DIR:-$root/build/tsan}
fuzz_seconds=${LINTEL_FUZZ_SECONDS:-15}
sanitize=${LINTEL_SANITIZE:-address-undefined}

if [ "${LINTEL_SKIP_DEPS:-0}" != 1 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "run as root (installs build and test dependencies with apt-get), or set LINTEL_SKIP_DEPS=1" >&2
        exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get build-dep -y -q ./
fi

# The BACnet device simulator's npm packages, pinned by its package-lock.json (the npm registry
# only). Node and npm come with the machine, not from debian/control: Debian's nodejs is too old
# for @bacnet-js/client and the package build runs no integration test.
bacnet_sim=tests/support/bacnet_device
if [ "${LINTEL_SKIP_DEPS:-0}" != 1 ] || [ ! -d "$bacnet_sim/node_modules" ]; then
    command -v npm > /dev/null || { echo "npm (with node >= 20) is needed for $bacnet_sim" >&2; exit 2; }
    npm ci --prefix "$bacnet_sim" --no-audit --no-fund
fi

# Seconds since the start, per phase, for the timing line at the end.
phase_start=$SECONDS
phases=""
phase_done() { phases="$phases $1=$((SECONDS - phase_start))s"; phase_start=$SECONDS; }
phase_done deps

# Build once, run once: the suite's only build is the sanitized one (tests/sanitizers/: options
# are compiled into every executable, so daemons and helpers the tests start are checked too; the
# plain optimized build is the .deb that install.deb builds).
jobs=$(nproc)
# The benchmarks are not run here (tests/bench/run.sh builds them in Release): not built either.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLINTEL_WERROR=ON -DLINTEL_SANITIZE="$sanitize" \
    -DLINTEL_BUILD_BENCH=OFF
cmake --build "$build" -j"$jobs"
phase_done build
ctest --test-dir "$build" -j"$jobs" --output-on-failure --timeout 300 | tee "$build/ctest.log"
phase_done ctest

# TSan on the test binaries labelled `threads` (LINTEL_THREADED_TESTS in tests/CMakeLists.txt).
if [ "${LINTEL_TSAN:-1}" != 0 ]; then
    cmake -S . -B "$tsan_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLINTEL_WERROR=ON \
        -DLINTEL_SANITIZE=thread -DLINTEL_BUILD_BENCH=OFF
    cmake --build "$tsan_build" -j"$jobs" --target threaded_tests
    ctest --test-dir "$tsan_build" -L threads -j"$jobs" --output-on-failure --timeout 300 \
        | tee "$tsan_build/ctest.log"
    phase_done tsan
fi

if [ "$fuzz_seconds" != 0 ]; then
    CC=clang-16 CXX=clang++-16 cmake -S . -B "$fuzz_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DLINTEL_FUZZ=ON -DLINTEL_BUILD_TESTS=OFF -DLINTEL_BUILD_BENCH=OFF
    cmake --build "$fuzz_build" -j"$jobs" --target fuzzers
    # $jobs at a time (each fuzzer is single-threaded); the committed corpus and regressions/ are
    # read only, what grows is thrown away (tests/fuzz/run-long.sh keeps it).
    ls "$fuzz_build"/fuzz/fuzz_* | xargs -P "$jobs" -I{} sh -c \
        'w=$(mktemp -d) && bash tests/fuzz/fuzz-one.sh "$1" "$2" "$w/corpus" "$w/findings" && rm -rf "$w"' \
        _ {} "$fuzz_seconds"
    echo "fuzz smoke: all targets ran ${fuzz_seconds}s without a finding"
    phase_done fuzz
fi
echo "timing:$phases"

# The suite's verdict as the last line (the fuzz smoke above prints after ctest's own summary).
summary=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$build/ctest.log" | tail -1)
total=$(echo "$summary" | sed -E 's/.* out of ([0-9]+).*/\1/')
failed=$(echo "$summary" | sed -E 's/.* ([0-9]+) tests failed.*/\1/')
echo "$((total - failed)) passed, $failed failed"
