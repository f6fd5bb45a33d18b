"""Peers of the evaluation benchmark: the same algorithm in gmpy2, mpmath and numpy.

acc = b_i; acc = acc + W_ij * x_j (j increasing), every operation rounded to nearest at P bits;
ReLU (x <= 0 -> 0) on hidden layers. gmpy2 and mpmath round correctly, so their bits must equal
MPFR's: they are exact oracles. Reads DIR/problem-P.txt; prints JSON lines; writes DIR/IMPL-P.txt
with exact outputs as 'numerator/denominator'.
usage: peers.py DIR PRECISION IMPL POINTS [REPEATS]   (IMPL: gmpy2, mpmath, numpy)
"""
import json
import sys
import time
from fractions import Fraction


def load(path):
    with open(path) as f:
        tokens = f.read().split()
    prec, depth, width, points = (int(t) for t in tokens[:4])
    pos = 4
    layers = []
    for _ in range(depth):
        w = tokens[pos:pos + width * width]; pos += width * width
        b = tokens[pos:pos + width]; pos += width
        layers.append((w, b))
    xs = [tokens[pos + p * width:pos + (p + 1) * width] for p in range(points)]
    return prec, depth, width, layers, xs


def scalar_loop(X, W, zero, width, depth):
    """The evaluation in any correctly rounded scalar type: acc = b_i; acc += W_ij x_j; ReLU."""
    outs = []
    for x in X:
        cur = x
        for l, (w, b) in enumerate(W):
            nxt = []
            for i in range(width):
                acc = b[i]
                row = w[i * width:(i + 1) * width]
                for j in range(width):
                    acc = acc + row[j] * cur[j]
                if l < depth - 1 and acc <= 0:
                    acc = zero
                nxt.append(acc)
            cur = nxt
        outs.append(cur)
    return outs


def main():
    folder, prec_s, impl, npoints = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    repeats = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    prec, depth, width, layers, xs = load(f"{folder}/problem-{prec_s}.txt")
    xs = xs[:npoints]
    if impl == "gmpy2":
        import gmpy2
        ctx = gmpy2.context(precision=prec, round=gmpy2.RoundToNearest)
        gmpy2.set_context(ctx)
        mk = lambda s: gmpy2.mpfr(s, prec)
        zero = mk("0")
        W = [([mk(t) for t in w], [mk(t) for t in b]) for w, b in layers]
        X = [[mk(t) for t in x] for x in xs]

        run = lambda: scalar_loop(X, W, zero, width, depth)
        exact = lambda v: Fraction(*v.as_integer_ratio())
    elif impl == "mpmath":
        import mpmath
        mpmath.mp.prec = prec
        mk = mpmath.mpf
        zero = mk(0)
        W = [([mk(t) for t in w], [mk(t) for t in b]) for w, b in layers]
        X = [[mk(t) for t in x] for x in xs]

        run = lambda: scalar_loop(X, W, zero, width, depth)
        exact = lambda v: (-1 if v._mpf_[0] else 1) * Fraction(int(v._mpf_[1])) * Fraction(2) ** int(v._mpf_[2])
    elif impl == "numpy":
        import numpy as np
        W = [(np.array([float(t) for t in w]).reshape(width, width), np.array([float(t) for t in b])) for w, b in layers]
        X = np.array([[float(t) for t in x] for x in xs])

        def run():
            h = X
            for l, (w, b) in enumerate(W):
                h = h @ w.T + b
                if l < depth - 1:
                    h = np.maximum(h, 0.0)
            return h
        exact = lambda v: Fraction(float(v))
        repeats = max(repeats, 50)
    else:
        raise SystemExit(f"unknown implementation {impl!r}")
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        outs = run()
        best = min(best, time.perf_counter() - t0)
    with open(f"{folder}/{impl}-{prec_s}.txt", "w") as f:
        for row in outs:
            for v in row:
                q = exact(v)
                f.write(f"{q.numerator}/{q.denominator}\n")
    print(json.dumps({"impl": impl, "precision": prec, "threads": 1, "points": len(xs), "seconds": best}))


if __name__ == "__main__":
    main()
