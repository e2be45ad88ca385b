#!/usr/bin/env bash
# Runs one libFuzzer binary for a bounded time: new inputs go to OUT (outside the repo), the
# target's committed corpus and regressions/ are read only; a crash, leak, timeout or OOM input is
# written to FINDINGS/<target>-<kind>-<hash>. Shared by tests/run-all.sh (the CI smoke) and
# tests/fuzz/run-long.sh. Exit status 1 when the fuzzer found something.
#   usage: fuzz-one.sh FUZZER SECONDS OUT FINDINGS
set -euo pipefail
fuzzer=$1 seconds=$2 out=$3 findings=$4
name=$(basename "$fuzzer")
here=$(cd "$(dirname "$0")" && pwd)
corpus=$(find "$here" -type d -path "*/corpus/$name" | head -1)
regressions=$(find "$here" -type d -path "*/regressions/$name" | head -1)
mkdir -p "$out" "$findings"
log="$findings/$name.log"
echo "fuzzing $name for ${seconds}s (corpus: ${corpus:-none})"
if ! "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$findings/$name-" "$out" ${corpus:+"$corpus"} ${regressions:+"$regressions"} \
    > "$log" 2>&1; then
    tail -50 "$log"
    echo "FUZZER FAILED: $name: $(ls "$findings" | grep "^$name-" | tr '\n' ' ')(log: $log)"
    exit 1
fi
runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
echo "$name: ${runs:-?} runs in ${seconds}s, no finding, $(ls "$out" | wc -l) new inputs in $out"
