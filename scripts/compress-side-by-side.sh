#!/usr/bin/env bash
# Times two builds of `kallsyms-lab compress` against each other on the two maps of issue 19,
# alternating runs so that both see the same machine (its speed drifts from minute to minute):
#
#   scripts/compress-side-by-side.sh OLD_BINARY NEW_BINARY [RUNS]
#
# - armhf: Tests/Corpus/armhf-armmp-6.1.176/System.map, v6.1 --base-relative;
# - host:  a 122 000-symbol x86-64 /proc/kallsyms, v7.0 --all-symbols --pc-relative. Set
#   HOST_MAP to the file; by default a copy of this machine's /proc/kallsyms is taken when its
#   addresses are readable (root, kptr_restrict 0), and the map is skipped otherwise.
#
# Optional C generators (the kernel's scripts/kallsyms built by hand) join the alternation:
# C_V61=path (run as `C_V61 --base-relative MAP`), C_V70=path (`C_V70 --all-symbols
# --pc-relative MAP`). C_V70_FLAGS replaces the host map's C flags, for a generator of another
# era (a 6.2–6.9 scripts/kallsyms has no --pc-relative: `C_V70_FLAGS="--all-symbols
# --base-relative"`); its output is then another era's and is only reported, not compared.
#
# Each run writes the .S to a file through standard output, as the kernel's build does. Prints,
# per map and binary: median, min and max wall-clock milliseconds over RUNS runs (default 21),
# the median peak resident memory of three more runs (getrusage, via /usr/bin/time), and whether
# the outputs of all binaries are byte-identical; `uptime` before and after.
#
# The clock is bash's own $EPOCHREALTIME, read just before the binary is started and just after
# it has been waited for, so that the timed window holds the binary's process and nothing else
# of the script's: no `date` or `/usr/bin/time` process (which added 5–7 ms to every run, ours
# and C's alike), and no writeback of an earlier run's output (see `measure`). What is left of
# the harness (bash's fork and exec) is printed as "harness": the same measurement of
# /bin/true.
set -euo pipefail
old=$1 new=$2 runs=${3:-21}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

armhf=$root/Tests/Corpus/armhf-armmp-6.1.176/System.map
host=${HOST_MAP:-}
if [ -z "$host" ] && [ -r /proc/kallsyms ] && ! head -1 /proc/kallsyms | grep -q '^0000000000000000 '; then
    host=$work/host.map
    cp /proc/kallsyms "$host"
fi

# measure LABEL OUTPUT COMMAND…: one timed run; appends its microseconds to $work/LABEL.
# OUTPUT is removed first, outside the timed window: truncating a file that the last run wrote
# makes ext4 (auto_da_alloc) start writing it back when it is closed again, and that writeback
# ran during the next binary's run (20 ms more for a run after a 29 MB write, here).
measure() {
    local label=$1 output=$2; shift 2
    local start end
    [ "$output" = /dev/null ] || rm -f "$output"
    start=${EPOCHREALTIME/[.,]/}
    "$@" > "$output"
    end=${EPOCHREALTIME/[.,]/}
    echo "$(( end - start ))" >> "$work/$label"
}

# peak LABEL COMMAND…: three untimed runs under /usr/bin/time; writes their peak resident
# KiB to $work/LABEL.rss.
peak() {
    local label=$1; shift
    rm -f "$work/$label.rss"
    for _ in 1 2 3; do
        /usr/bin/time -f "%M" -o "$work/rss" "$@" > /dev/null
        cat "$work/rss" >> "$work/$label.rss"
    done
}

# summary LABEL: median / min / max ms of the runs in $work/LABEL, and the median of the peak
# memories in $work/LABEL.rss when there are any.
summary() {
    local times count median min max memory=""
    times=$(sort -n "$work/$1")
    count=$(echo "$times" | wc -l)
    median=$(echo "$times" | sed -n "$(( (count + 1) / 2 ))p")
    min=$(echo "$times" | head -1)
    max=$(echo "$times" | tail -1)
    if [ -s "$work/$1.rss" ]; then
        memory=$(printf "   peak %6.1f MiB" "$(echo "$(sort -n "$work/$1.rss" | sed -n 2p) / 1024" | bc -l)")
    fi
    printf "  %-7s median %8.1f ms   min %8.1f   max %8.1f%s   (%d runs)\n" "$1" \
        "$(echo "$median / 1000" | bc -l)" "$(echo "$min / 1000" | bc -l)" "$(echo "$max / 1000" | bc -l)" \
        "$memory" "$count"
}

# compare NAME MAP C_BINARY C_FLAGS ARGS…: alternates old, new (and C) on MAP. With C_FLAGS
# empty, C takes ARGS without --era and its output must equal ours; otherwise C runs with
# C_FLAGS and its output is not compared.
compare() {
    local name=$1 map=$2 c=$3 c_flags=$4; shift 4
    rm -f "$work/old" "$work/new" "$work/C" "$work/harness"
    # The kernel's generator takes the same flags but no --era.
    local flags=()
    if [ -n "$c_flags" ]; then
        read -r -a flags <<< "$c_flags"
    else
        for flag in "$@"; do case $flag in --era|v*.*) ;; *) flags+=("$flag") ;; esac; done
    fi
    for ((run = 1; run <= runs; run++)); do
        measure old "$work/old.S" "$old" compress "$@" "$map"
        measure new "$work/new.S" "$new" compress "$@" "$map"
        [ -n "$c" ] && measure C "$work/c.S" "$c" "${flags[@]}" "$map"
        measure harness /dev/null /bin/true
    done
    peak old "$old" compress "$@" "$map"
    peak new "$new" compress "$@" "$map"
    [ -n "$c" ] && peak C "$c" "${flags[@]}" "$map"
    echo "$name: compress $* ($(grep -c '' "$map") lines)"
    summary old
    summary new
    [ -n "$c" ] && summary C
    summary harness
    [ -n "$c" ] && [ -n "$c_flags" ] && echo "  C ran with $c_flags: its output is another era's, not compared"
    if cmp -s "$work/old.S" "$work/new.S" && { [ -z "$c" ] || [ -n "$c_flags" ] || cmp -s "$work/old.S" "$work/c.S"; }; then
        echo "  outputs identical ($(wc -c < "$work/new.S") bytes)"
    else
        echo "  OUTPUTS DIFFER"
        exit 1
    fi
}

echo "before: $(uptime)"
compare armhf "$armhf" "${C_V61:-}" "" --era v6.1 --base-relative
if [ -n "$host" ]; then
    compare host "$host" "${C_V70:-}" "${C_V70_FLAGS:-}" --era v7.0 --all-symbols --pc-relative
else
    echo "host: skipped (no readable /proc/kallsyms; set HOST_MAP)"
fi
echo "after:  $(uptime)"
