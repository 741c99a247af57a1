#!/usr/bin/env bash
# Runs one libFuzzer target for SECONDS on a seed corpus made from Tests/Corpus:
#   Fuzz/run.sh TARGET SECONDS [extra libFuzzer flags…]
# Findings (crashes) land in Fuzz/findings/TARGET/; the growing corpus in .build-fuzz-TARGET/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: Fuzz/run.sh TARGET SECONDS}
seconds=${2:?usage: Fuzz/run.sh TARGET SECONDS}
shift 2
binary=".build-fuzz-$target/release/$target"
[ -x "$binary" ] || Fuzz/build.sh "$target"
corpus=".build-fuzz-$target/corpus"
seeds=".build-fuzz-$target/seeds"
findings="Fuzz/findings/$target"
mkdir -p "$corpus" "$seeds" "$findings"
Fuzz/seeds.sh "$target" "$seeds"
export SWIFT_BACKTRACE=enable=no
exec "$binary" "$corpus" "$seeds" -max_total_time="$seconds" -artifact_prefix="$findings/" -print_final_stats=1 "$@"
