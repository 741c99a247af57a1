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
# the median peak resident memory (getrusage, via /usr/bin/time), and whether the outputs of all
# binaries are byte-identical; `uptime` before and after.
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

# now_ns: the monotonic-enough wall clock in nanoseconds.
now_ns() { date +%s%N; }

# measure LABEL OUTPUT COMMAND…: one timed run; appends "ms kb" to $work/LABEL.
measure() {
    local label=$1 output=$2; shift 2
    local start end
    start=$(now_ns)
    /usr/bin/time -f "%M" -o "$work/rss" "$@" > "$output"
    end=$(now_ns)
    echo "$(( (end - start) / 1000 )) $(cat "$work/rss")" >> "$work/$label"
}

# summary LABEL: median / min / max ms and median peak KiB of the runs in $work/LABEL.
summary() {
    local times rss
    times=$(cut -d' ' -f1 "$work/$1" | sort -n)
    rss=$(cut -d' ' -f2 "$work/$1" | sort -n)
    local count median min max memory
    count=$(echo "$times" | wc -l)
    median=$(echo "$times" | sed -n "$(( (count + 1) / 2 ))p")
    min=$(echo "$times" | head -1)
    max=$(echo "$times" | tail -1)
    memory=$(echo "$rss" | sed -n "$(( (count + 1) / 2 ))p")
    printf "  %-6s median %8.1f ms   min %8.1f   max %8.1f   peak %6.1f MiB   (%d runs)\n" "$1" \
        "$(echo "$median / 1000" | bc -l)" "$(echo "$min / 1000" | bc -l)" "$(echo "$max / 1000" | bc -l)" \
        "$(echo "$memory / 1024" | bc -l)" "$count"
}

# compare NAME MAP C_BINARY C_FLAGS ARGS…: alternates old, new (and C) on MAP. With C_FLAGS
# empty, C takes ARGS without --era and its output must equal ours; otherwise C runs with
# C_FLAGS and its output is not compared.
compare() {
    local name=$1 map=$2 c=$3 c_flags=$4; shift 4
    rm -f "$work/old" "$work/new" "$work/C"
    for ((run = 1; run <= runs; run++)); do
        measure old "$work/old.S" "$old" compress "$@" "$map"
        measure new "$work/new.S" "$new" compress "$@" "$map"
        if [ -n "$c" ]; then
            # The kernel's generator takes the same flags but no --era.
            local flags=()
            if [ -n "$c_flags" ]; then
                read -r -a flags <<< "$c_flags"
            else
                for flag in "$@"; do case $flag in --era|v*.*) ;; *) flags+=("$flag") ;; esac; done
            fi
            measure C "$work/c.S" "$c" "${flags[@]}" "$map"
        fi
    done
    echo "$name: compress $* ($(grep -c '' "$map") lines)"
    summary old
    summary new
    [ -n "$c" ] && summary C
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
