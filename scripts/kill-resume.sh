#!/usr/bin/env bash
# Kill and resume (issue 19): runs a sweep plan once without interruption, then again under
# repeated SIGKILLs at random moments (resuming each time with the same command) until it
# finishes, and checks that the tables are byte-identical, that every point was kept, and that no
# temporary file (.NAME.tmp-PID-RANDOM) is left anywhere in the output folder. The same for
# `dynamics early`. Prints one line per check and exits 1 on any difference.
# Usage: bash scripts/kill-resume.sh [KILLS] (default 20 per command).
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-20}
cli=.build/release/approx-cli
[ -x "$cli" ] || { bash scripts/ensure-deps.sh; swift build -c release --product approx-cli >&2; }
work=$(mktemp -d)
trap '[ "$status" -eq 0 ] && rm -rf "$work" || echo "kept $work"' EXIT
status=0

# Runs "$@" (an approx-cli command) until it exits 0, killing it with SIGKILL after a random
# 0.3 to 3 s at most $kills times.
killed_run() {
    local n=0
    while true; do
        "$cli" "$@" >/dev/null 2>&1 &
        local pid=$!
        if [ "$n" -lt "$kills" ]; then
            sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.3 + 2.7 * r / 32767 }')"
            if kill -0 "$pid" 2>/dev/null; then
                kill -9 "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
                n=$((n + 1))
                continue
            fi
        fi
        wait "$pid" && break
    done
    echo "$n"
}

# A copy of file $1 without what differs by design between two runs: wall times ("seconds")
# and the command line, which names the output folder.
normalised() { sed -E -e 's/"seconds" *: *[-0-9.e+]+,? *//g' -e 's/"command" *: *"([^"\\]|\\.)*",? *//g' -e "s#$work/[a-z-]+#OUT#g" "$1"; }

check() {   # name, folder A, folder B, files...
    local name=$1 a=$2 b=$3; shift 3
    for f in "$@"; do
        if cmp -s <(normalised "$a/$f") <(normalised "$b/$f"); then echo "$name: $f identical"; else echo "$name: $f DIFFERS"; status=1; fi
    done
    local left
    left=$(find "$b" -name '*.tmp-*' | wc -l)
    if [ "$left" -eq 0 ]; then echo "$name: no .tmp file left"; else echo "$name: $left .tmp files left:"; find "$b" -name '*.tmp-*'; status=1; fi
}

plan=data/plans/kill-resume.json
"$cli" sweep "$plan" --out "$work/sweep-a" --jobs 1 --threads 1 >/dev/null 2>&1
n=$(killed_run sweep "$plan" --out "$work/sweep-b" --jobs 1 --threads 1)
echo "sweep: $n kills"
a=$(wc -l < "$work/sweep-a/points.jsonl"); b=$(wc -l < "$work/sweep-b/points.jsonl")
echo "sweep: points.jsonl $a lines uninterrupted, $b after the kills"
[ "$a" -eq "$b" ] || status=1
check sweep "$work/sweep-a" "$work/sweep-b" rates.csv rates.md rates.tex rates.json phase-diagram.svg

dyn=(dynamics early --networks 2x32,3x32,4x32 --seeds 3 --samples 128 --steps 50 --scan 0:4:0.25 --refinements 3 --measurement 128 --jobs 1)
"$cli" "${dyn[@]}" --out "$work/dyn-a" >/dev/null 2>&1
n=$(killed_run "${dyn[@]}" --out "$work/dyn-b")
echo "dynamics early: $n kills"
normalised "$work/dyn-a/critical.jsonl" | sort > "$work/a.sorted"; normalised "$work/dyn-b/critical.jsonl" | sort > "$work/b.sorted"
if cmp -s "$work/a.sorted" "$work/b.sorted"; then echo "dynamics early: critical.jsonl holds the same records"; else echo "dynamics early: critical.jsonl DIFFERS"; status=1; fi
tables=$(cd "$work/dyn-a" && find . -maxdepth 1 -type f ! -name critical.jsonl | sed 's#^\./##')
check "dynamics early" "$work/dyn-a" "$work/dyn-b" $tables
exit $status
