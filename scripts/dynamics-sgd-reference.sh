#!/usr/bin/env bash
# The shipped measurements of docs/dynamics-sgd.md, one command each, into
# data/reference/dynamics-sgd/<name>. Every command journals its SGD runs (runs.jsonl), so with the
# shipped journals this rewrites the tables and pictures in seconds; from empty folders it takes
# about 1.5 hours on 2 cores (the δ = ½ collapse to t = 1000 at d = 1000 is most of it).
# Usage: bash scripts/dynamics-sgd-reference.sh [name ...]   (default: all)
set -euo pipefail
D=data/reference/dynamics-sgd
only=("$@")
source "$(dirname "$0")/reference-common.sh"
run compare              dynamics sgd compare --d 1000 --p 8 --k 4 --delta 0 --kappa 0 --times 5,20,100 --seeds 5
run prototype            dynamics sgd compare --d 500 --p 2 --k 2 --times 5,20,100 --seeds 5
run long                 dynamics sgd compare --d 1000 --p 8 --k 4 --times 10,100,1000,10000 --seeds 2
run delta-half           dynamics sgd compare --d 100,300,1000 --delta 0.5 --times 5,20,100,1000 --seeds 5
run delta-half-finite    dynamics sgd compare --d 100,300,1000 --delta 0.5 --times 5,20,100,1000 --seeds 5 --ode finite
run delta-quarter        dynamics sgd compare --d 100,300,1000 --delta 0.25 --times 5,20,100,1000 --seeds 5
run delta-quarter-finite dynamics sgd compare --d 100,300,1000 --delta 0.25 --times 5,20,100,1000 --seeds 5 --ode finite
run delta-minus-quarter  dynamics sgd compare --d 100,300,1000 --delta=-0.25 --times 1,10,100 --seeds 5
run delta-minus-quarter-finite dynamics sgd compare --d 100,300,1000 --delta=-0.25 --times 1,10,100 --seeds 5 --ode finite
run delta-minus-half     dynamics sgd compare --d 100,300,1000 --delta=-0.5 --times 1,10,100 --seeds 5
run floor                dynamics sgd compare --d 100,300 --delta 0.5 --times 100,1000,10000 --seeds 3 --ode finite
run plateau              dynamics sgd plateau
run floor-ode            dynamics sgd plateau --delta 0.5 --d 100,300,1000,3000,10000,100000 --gamma0s 8 --noises 1e-4,1e-3,1e-2
run map                  dynamics sgd map
run map-kappa-half-long  dynamics sgd map --deltas=-0.25,0,0.25,0.5 --kappas 0.5 --d 16,64 --seeds 3 --horizon 10000
run wedge-k0             dynamics sgd map --deltas=-0.25,-0.5 --kappas 0 --d 64,128,256,512 --seeds 8 --horizon 4
run wedge-k1             dynamics sgd map --deltas=-1.25,-1.5 --kappas 1 --d 64,128,256,512 --seeds 8 --horizon 4
