#!/usr/bin/env bash
# Measures how closely the link model follows a real linker on generated ARM-sized layouts:
# for each case of a campaign seed, the layout is built with the real linker, every image's map
# compared with the model's (simulate --compare-model), and the outcome with a model-only build.
#
#   scripts/linker-fidelity.sh gnu|lld ERA COUNT [SEED] [extra simulate flags…]
#
# Prints one line per layout and a summary: layouts, maps identical / compared, outcomes agreeing.
set -euo pipefail
linker=$1 era=$2 count=$3 seed=${4:-1}
shift $(( $# < 4 ? $# : 4 ))
bin=${KALLSYMS_LAB:-.build/release/kallsyms-lab}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
maps=0 identical=0 outcomes=0 layouts=0 errors=0
for ((case = 1; case <= count; case++)); do
    "$bin" fuzz --seed "$seed" --print-layout "$case" > "$work/case.layout"
    real_status=0; "$bin" simulate "$work/case.layout" --era "$era" --all-symbols --linker "$linker" --compare-model "$@" \
        > "$work/real.txt" 2> "$work/real.err" || real_status=$?
    model_status=0; "$bin" simulate "$work/case.layout" --era "$era" --all-symbols --model-rules "$linker" "$@" \
        > /dev/null 2>&1 || model_status=$?
    layouts=$((layouts + 1))
    summary=$(grep -E '^  [0-9]+ of [0-9]+ maps identical' "$work/real.txt" || true)
    if [ -z "$summary" ]; then
        errors=$((errors + 1))
        echo "case $case: the real build did not complete: $(tail -1 "$work/real.err")"
        continue
    fi
    read -r same _ total _ <<< "$summary"
    maps=$((maps + total)); identical=$((identical + same))
    [ "$real_status" = "$model_status" ] && outcomes=$((outcomes + 1))
    echo "case $case: $same/$total maps identical; exit real $real_status, model $model_status"
    [ "$same" = "$total" ] || sed -n '/^model vs real/,$p' "$work/real.txt" | head -12
done
echo "$linker $era seed $seed: $layouts layouts, $identical of $maps maps identical, $outcomes of $((layouts - errors)) outcomes agree, $errors real builds did not complete"
