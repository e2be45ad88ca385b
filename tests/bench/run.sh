#!/usr/bin/env bash
# Benchmarks (not CI): builds in Release and prints the tables — the whole pipeline side by side
# (linteld, the raw limits of this machine and the mosquitto-bridge gateway in the same run: ingest,
# drain of a 1M backlog over mTLS after a cloud outage, RSS, CPU per 1k points, first point after
# the broker returns, start to ready; with ratios, about 3-4 min), the store next to a raw
# SQLite insert loop, the uplink next to a raw libmosquitto QoS 1 publisher, and the OTA
# download over loopback TLS (64 MiB: unlimited, with a bandwidth limit, resumed after a drop).
# Usage: bash tests/bench/run.sh [--points N]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${LINTEL_BENCH_BUILD_DIR:-build/bench}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DLINTEL_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target lintel_bench_pipeline lintel_bench_store lintel_bench_uplink \
    lintel_bench_ota_download linteld >/dev/null
"$build/tests/bench/pipeline/lintel_bench_pipeline" "$@"
"$build/tests/bench/store/lintel_bench_store" "$@"
"$build/tests/bench/uplink/lintel_bench_uplink" "$@"
"$build/tests/bench/ota/lintel_bench_ota_download" "$@"
