#!/usr/bin/env bash
# Soak (not CI): the real linteld for 30 min at 5k points/s from a Modbus peer while the cloud
# broker flaps (up 120 s, down 30 s); prints RSS, open fds and buffer size every minute, then
# whether they stayed flat and whether every accepted point reached the cloud. Exit 1 if not.
# Usage: bash tests/bench/soak.sh [--minutes M] [--rate R] [--up S] [--down S] [--sample S]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${LINTEL_BENCH_BUILD_DIR:-build/bench}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DLINTEL_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target lintel_bench_soak >/dev/null
exec "$build/tests/bench/soak/lintel_bench_soak" "$@"
