#!/usr/bin/env bash
# Runs every cargo-fuzz target for N seconds (default 10), starting from the committed seeds in
# fuzz/seeds/<target>; new inputs go to target/fuzz-corpus/<target>, findings to fuzz/artifacts/.
# Installs cargo-fuzz once. libFuzzer needs nightly flags: RUSTC_BOOTSTRAP=1 allows them on stable.
#   bash scripts/fuzz.sh 10            # the CI smoke run
#   bash scripts/fuzz.sh 600 mask      # a longer run of one target
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(mask analyze markdown jsonl)
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --version 0.13.2 --locked
fi
export RUSTC_BOOTSTRAP=1
for t in "${targets[@]}"; do
    mkdir -p "target/fuzz-corpus/$t"
    log="target/fuzz-$t.log"
    if ! cargo fuzz run "$t" "target/fuzz-corpus/$t" "fuzz/seeds/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz $t failed (inputs in fuzz/artifacts/$t)" >&2
        exit 1
    fi
    echo "fuzz $t: $(grep -m1 -o 'number_of_executed_units: *[0-9]*' "$log" || echo '?') inputs in ${seconds}s, no finding"
done
