#!/usr/bin/env bash
# Deep-phase benchmark and must-show sweeps (docs/deep-phase.md). Not part of the tests.
# Usage: bash scripts/bench-deep.sh [quick]
#   quick: only the timed sweep to W = 1e4 (weights of about 300 bits), one seed.
#   default: also the 10-seed sweeps of issue 4 (long: about an hour on 2 cores, plus hours for 2-D).
# Writes Benchmarks/out/deep/*.json and prints p, its interval, the theory and the time.
out=Benchmarks/out/deep
source "$(dirname "$0")/bench-common.sh"
run sweep-1e4-r1 --target lacunary --smoothness 1 --construction deep --weights 1e2...1e4 --points 6
[ "${1:-}" = quick ] && exit 0
run r1-alpha1-10seeds   --target lacunary --smoothness 1   --construction deep --weights 3e2...2e4 --points 7 --grid any --draws 10
run r0.5-alpha1-10seeds --target lacunary --smoothness 0.5 --construction deep --weights 3e2...2e4 --points 7 --grid any --draws 10
run r1-alpha0.5-10seeds --target lacunary --smoothness 1   --construction deep --alpha 0.5 --weights 5e2...1e4 --points 5 --grid any --draws 10
run r2-alpha1-10seeds   --target lacunary --smoothness 2   --construction deep --weights 1e3...3e4 --points 6 --grid any --draws 10
# 2-D: four shifted copies, W ~ 4(40(N+1)^2 + 60M^2) with M >= 10; hours on 2 cores for ten seeds.
run d2-r1-10seeds       --target lacunary --smoothness 1 --dim 2 --construction deep --weights 5.6e4...1.45e5 --points 3 --grid any --draws 10
run r1-53bits           --target lacunary --smoothness 1   --construction deep --weights 3e2...2e4 --points 7 --grid any --compare-precision
