#!/usr/bin/env bash
# Rate-sweep benchmark (docs/shallow-phase.md): the sweeps of issue 3, each 8 values of W up to
# 1e5 (2-D Taylor also to 1e6), timed end to end on 2 threads. Not part of the tests.
# Usage: bash scripts/bench-rate.sh   (writes Benchmarks/out/rate/*.json and prints a summary)
out=Benchmarks/out/rate
source "$(dirname "$0")/bench-common.sh"
echo "sweep                        rows  W range            fitted p (95%)              theory   gap          time (2 threads)"
run power-r0.5-d1      --target power --smoothness 0.5 --weights 1e2...1e5
run power-r1-d1        --target power --smoothness 1   --weights 1e2...1e5
run power-r1.5-d1      --target power --smoothness 1.5 --weights 1e2...1e5
run power-r0.5-d2      --target power --smoothness 0.5 --dim 2 --weights 1e2...1e5
run power-r1-d2        --target power --smoothness 1   --dim 2 --weights 1e2...1e5
run power-r1.5-d2      --target power --smoothness 1.5 --dim 2 --weights 1e2...1e5
run power-r1.5-d2-1e6  --target power --smoothness 1.5 --dim 2 --weights 1e3...1e6 --points 6
run lacunary-r0.5-d1   --target lacunary --smoothness 0.5 --weights 1e2...1e5
run taylor-sine-d1     --target smooth-sine --smoothness 2 --construction taylor --weights 1e3...1e5
run taylor-sine-d2     --target smooth-sine --smoothness 2 --dim 2 --construction taylor --weights 1e3...1e5 --grid any
run taylor-sine-d2-1e6 --target smooth-sine --smoothness 2 --dim 2 --construction taylor --weights 5e4...1e6 --points 3
