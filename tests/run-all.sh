#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the suite needs, builds once, runs every test
# through ctest in parallel, then runs each libFuzzer target briefly on its committed corpus.
# Env: LINTEL_BUILD_DIR (default build/ci), LINTEL_SKIP_DEPS=1 (skip apt; npm only when missing),
# LINTEL_FUZZ_SECONDS (default 15, 0 = skip).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${LINTEL_BUILD_DIR:-$root/build/ci}
fuzz_build=${LINTEL_FUZZ_BUILD_DIR:-$root/build/fuzz}
fuzz_seconds=${LINTEL_FUZZ_SECONDS:-15}

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

jobs=$(nproc)
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLINTEL_WERROR=ON
cmake --build "$build" -j"$jobs"
ctest --test-dir "$build" -j"$jobs" --output-on-failure --timeout 300 | tee "$build/ctest.log"

if [ "$fuzz_seconds" != 0 ]; then
    CC=clang-16 CXX=clang++-16 cmake -S . -B "$fuzz_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DLINTEL_FUZZ=ON -DLINTEL_BUILD_TESTS=OFF -DLINTEL_BUILD_BENCH=OFF
    cmake --build "$fuzz_build" -j"$jobs" --target fuzzers
    for fuzzer in "$fuzz_build"/fuzz/fuzz_*; do
        name=$(basename "$fuzzer")
        # Seed corpus (committed): tests/fuzz/<area>/corpus/<fuzzer name>/
        corpus=$(find tests/fuzz -type d -path "*/corpus/$name" | head -1)
        work=$(mktemp -d)
        echo "fuzzing $name for ${fuzz_seconds}s (corpus: ${corpus:-none})"
        "$fuzzer" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 "$work" ${corpus:+"$corpus"} \
            > "$work.log" 2>&1 || { tail -50 "$work.log"; echo "FUZZER FAILED: $name"; exit 1; }
        rm -rf "$work" "$work.log"
    done
    echo "fuzz smoke: all targets ran ${fuzz_seconds}s without a finding"
fi

# The suite's verdict as the last line (the fuzz smoke above prints after ctest's own summary).
summary=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$build/ctest.log" | tail -1)
total=$(echo "$summary" | sed -E 's/.* out of ([0-9]+).*/\1/')
failed=$(echo "$summary" | sed -E 's/.* ([0-9]+) tests failed.*/\1/')
echo "$((total - failed)) passed, $failed failed"
