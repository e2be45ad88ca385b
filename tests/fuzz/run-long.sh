#!/usr/bin/env bash
# Runs libFuzzer targets for longer than CI does, growing a corpus outside the repository, and
# reports findings; with --merge, folds the new inputs that add coverage back into the committed
# corpus (bounded). See docs/testing.md, "Fuzzing".
#   bash tests/fuzz/run-long.sh [SECONDS_PER_TARGET] [TARGET...]      (default 600 s, all targets)
#   bash tests/fuzz/run-long.sh --merge [TARGET...]
# Env: LINTEL_FUZZ_BUILD_DIR (default build/fuzz, built here with clang-16 when missing),
# LINTEL_FUZZ_WORK (default ~/.cache/lintel-fuzz: corpus/<target>/, findings/<run>/),
# LINTEL_FUZZ_JOBS (targets run at once, default nproc),
# LINTEL_FUZZ_MAX_LEN (merge: longest input folded back, default 4096 bytes),
# LINTEL_FUZZ_MAX_NEW (merge: most new inputs per target and run, default 50).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
fuzz_build=${LINTEL_FUZZ_BUILD_DIR:-$root/build/fuzz}
work=${LINTEL_FUZZ_WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/lintel-fuzz}
jobs=${LINTEL_FUZZ_JOBS:-$(nproc)}

merge=0
if [ "${1:-}" = --merge ]; then
    merge=1
    shift
fi
seconds=600
if [ $merge = 0 ] && [[ "${1:-}" =~ ^[0-9]+$ ]]; then
    seconds=$1
    shift
fi

CC=clang-16 CXX=clang++-16 cmake -S . -B "$fuzz_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLINTEL_FUZZ=ON -DLINTEL_BUILD_TESTS=OFF -DLINTEL_BUILD_BENCH=OFF > /dev/null
cmake --build "$fuzz_build" -j"$(nproc)" --target fuzzers > /dev/null

targets=("$@")
if [ ${#targets[@]} = 0 ]; then
    mapfile -t targets < <(ls "$fuzz_build"/fuzz | grep '^fuzz_')
fi
for t in "${targets[@]}"; do
    [ -x "$fuzz_build/fuzz/$t" ] || { echo "no fuzz target $t in $fuzz_build/fuzz" >&2; exit 2; }
done

if [ $merge = 1 ]; then
    # -merge=1 keeps what the committed corpus already covers and adds, from the grown corpus,
    # only inputs with new coverage; a copy is merged first so the bounds are checked before
    # anything lands in the repository.
    max_len=${LINTEL_FUZZ_MAX_LEN:-4096}
    max_new=${LINTEL_FUZZ_MAX_NEW:-50}
    for t in "${targets[@]}"; do
        committed=$(find tests/fuzz -type d -path "*/corpus/$t" | head -1)
        grown="$work/corpus/$t"
        [ -n "$committed" ] || { echo "$t: no committed corpus (tests/fuzz/<area>/corpus/$t)" >&2; exit 2; }
        [ -d "$grown" ] || { echo "$t: nothing grown yet in $grown"; continue; }
        staging=$(mktemp -d)
        cp "$committed"/* "$staging"/
        "$fuzz_build/fuzz/$t" -merge=1 -max_len="$max_len" "$staging" "$grown" > "$staging.log" 2>&1 \
            || { tail -20 "$staging.log"; echo "$t: merge failed" >&2; exit 1; }
        mapfile -t new < <(comm -13 <(ls "$committed") <(ls "$staging"))
        if [ ${#new[@]} -gt "$max_new" ]; then
            echo "$t: ${#new[@]} new inputs, more than LINTEL_FUZZ_MAX_NEW=$max_new: not merged" \
                "(look at them in $staging, or raise the bound)"
            continue
        fi
        for f in "${new[@]}"; do cp "$staging/$f" "$committed/$f"; done
        echo "$t: ${#new[@]} new inputs added to $committed ($(du -sh "$committed" | cut -f1))"
        rm -rf "$staging" "$staging.log"
    done
    echo "review with git status, then commit the corpus changes"
    exit 0
fi

# Findings of this run only (earlier runs keep theirs).
findings="$work/findings/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$findings"
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} \
    bash tests/fuzz/fuzz-one.sh "$fuzz_build/fuzz/{}" "$seconds" "$work/corpus/{}" "$findings" \
    || true
found=$(ls "$findings" | grep -v '\.log$' || true)
if [ -n "$found" ]; then
    echo "FINDINGS in $findings:"
    echo "$found"
    echo "reproduce: $fuzz_build/fuzz/<target> <file>; once fixed, copy the file to" \
        "tests/fuzz/<area>/regressions/<target>/ (replayed by ctest as fuzz.<target>)"
    exit 1
fi
echo "no finding; grown corpora in $work/corpus (fold back: bash tests/fuzz/run-long.sh --merge)"
