#!/usr/bin/env bash
# Fuzzing (issue #15): every cargo-fuzz target in fuzz/ (codes, CSV and JSONL rows in every
# encoding, the catalogue, list types, memoranda, purposes and calendars, grading models, the
# search query) for a bounded time each, from the seeds in fuzz/seeds/ and the shipped data
# files. A crash stops the script and leaves its input in fuzz/artifacts/TARGET/; each crash
# found becomes a regression test next to the code it broke.
#
#   scripts/fuzz.sh                          # 20 s per target (.ci/run: 10 s)
#   XINYONG_FUZZ_SECONDS=600 scripts/fuzz.sh # the long form
#   scripts/fuzz.sh record_file_csv          # one target
#
# Runs on the stable toolchain: `-s none` builds without a sanitizer (Rust is memory-safe;
# what is sought is a panic, an abort or a hang), which needs no nightly flag.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${XINYONG_FUZZ_SECONDS:-20}"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --version 0.13.2
fi
cd fuzz
cargo fuzz build -s none
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi
for target in "${targets[@]}"; do
    # Read-only seeds beside the corpus libFuzzer grows (the first directory).
    seeds=()
    [ -d "seeds/$target" ] && seeds+=("seeds/$target")
    case "$target" in
        catalogue) seeds+=(../data/catalogue) ;;
        lists_and_memoranda) seeds+=(../data/calendar) ;;
        grading_model) seeds+=(../data/grading) ;;
    esac
    mkdir -p "corpus/$target"
    echo "== fuzz $target for ${seconds}s"
    cargo fuzz run -s none "$target" "corpus/$target" "${seeds[@]}" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 2>&1 \
        | grep -E "^(#[0-9]+.*(DONE|INITED)|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|.*(panicked|deadly signal|Test unit written|SUMMARY))" || true
    if [ -n "$(ls -A "artifacts/$target" 2>/dev/null)" ]; then
        echo "fuzz target $target found a crash: fuzz/artifacts/$target/" >&2
        exit 1
    fi
done
