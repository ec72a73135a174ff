#!/usr/bin/env bash
# Builds the fuzz targets (fuzz/) and runs each for SECONDS (default 30).
# Installs cargo-fuzz from crates.io when it is missing. Uses a nightly
# toolchain where one is installed, else the stable one with RUSTC_BOOTSTRAP=1
# (cargo fuzz needs the sanitizer flags that only nightly accepts).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(mailbox analyze csv_roundtrip)

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --version 0.13.2
fi
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    fuzz=(cargo +nightly fuzz)
else
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz)
fi

"${fuzz[@]}" build
for target in "${targets[@]}"; do
    case "$target" in
        csv_roundtrip) seeds=seeds/csv ;;
        *) seeds=../tests/fixtures ;;
    esac
    mkdir -p "corpus/$target"
    echo "== fuzz $target for ${secs} s"
    # A crash, a hang (> 1 s for an input of at most 64 KB) or more than
    # 1 GB of memory (ASan's own overhead included) fails the run.
    log="corpus/$target.log"
    if ! "${fuzz[@]}" run "$target" "corpus/$target" "$seeds" -- \
        -max_total_time="$secs" -max_len=65536 -timeout=1 -rss_limit_mb=1024 \
        -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzz target $target failed; the input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
    grep -E 'DONE|stat::number_of_executed_units' "$log" || true
done
