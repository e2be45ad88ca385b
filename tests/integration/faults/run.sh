#!/bin/sh
# The fault command: builds linteld, its plugins and the fault tests, runs `ctest -L fault` and
# prints a Markdown table of the LINTEL-FAULT lines (docs/faults.md).
#   tests/integration/faults/run.sh [--long] [--build DIR] [-j N]
# --long: the broker outage lasts 660 s (LINTEL_FAULT_OUTAGE_SECONDS), CI uses 45 s.
# Root is needed for the namespace tests (network, disk full); without it they are skipped.
set -eu

src=$(cd "$(dirname "$0")/../../.." && pwd)
build="$src/build/faults"
jobs=2
long=0
while [ $# -gt 0 ]; do
    case "$1" in
        --long) long=1 ;;
        --build) build="$2"; shift ;;
        -j) jobs="$2"; shift ;;
        *) echo "usage: $0 [--long] [--build DIR] [-j N]" >&2; exit 2 ;;
    esac
    shift
done

if [ "$long" = 1 ]; then
    LINTEL_FAULT_OUTAGE_SECONDS=${LINTEL_FAULT_OUTAGE_SECONDS:-660}
    export LINTEL_FAULT_OUTAGE_SECONDS
fi

cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$jobs" --target lintel_fault_test lintel_fault_flood_test lintel_bridge_fault_test linteld lintel_plugin_mqtt \
    lintel_plugin_modbus

out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$(date +%s)
rc=0
ctest --test-dir "$build" -L fault -j "$jobs" -V --output-on-failure >"$out" 2>&1 || rc=$?
took=$(( $(date +%s) - start ))

# ctest -V prefixes every line with "<test number>: ".
echo
echo "| gateway | fault | accepted | received | lost | duplicates | result |"
echo "|---|---|---:|---:|---:|---:|---|"
sed -n 's/^[0-9]*: //; /^LINTEL-FAULT|/p' "$out" | sort -u | while IFS='|' read -r _ gw fault acc rec lost dup note; do
    n=${lost#lost=}
    result="pass"
    [ "$n" = 0 ] || result="LOSS"
    # A damaged file destroys what it held: counted as lost, and the test asserts the rest.
    case "$fault" in corrupt*) [ "$n" = 0 ] || result="destroyed by the fault" ;; esac
    echo "| $gw | $fault | ${acc#accepted=} | ${rec#received=} | $n | ${dup#duplicates=} | $result: $note |"
done
echo
grep -E '^ *[0-9]+/[0-9]+ Test|tests passed|tests failed|\*\*\*Skipped|Not Run' "$out" | sed 's/^ *//' || true
echo "wall time: ${took} s (ctest -j $jobs)"
exit "$rc"
