#!/usr/bin/env python3
"""Emulates one copy of the 2-D snake construction (SnakeExtraction) in float64 on a random
lacunary target of the same law as `--target lacunary --dim 2 --smoothness 1` (K = 14 levels,
C-infinity bumps, random signs; numpy's signs, not the toolkit's seeds), to separate what the
target and the grid do from what the network does. For N = M it prints, in units of
h log2(1/h) with h = 1/(NM):

  eps    the quantum: the largest residual step between consecutive snake nodes;
  tri    the error if the quantised residual were interpolated linearly on the fine triangles;
  snake  the error of the construction's own interpolant g = sum_i s_i Psi_i inside fine cells.

Both errors are maxima over 5 x 5 points per fine cell, away (>= 2h) from the coarse lines where
the network blends its four copies. Needs python3 with numpy (not installed by the project's
scripts); about a minute per seed. See docs/deep-phase.md, "Ten seeds in 2-D".
"""
import math
import numpy as np

K = 14


def phi(t):
    out = np.zeros_like(t)
    m = (t > 0) & (t < 1)
    u = t[m]
    out[m] = np.exp(4 - 1 / (u * (1 - u)))
    return out


def target(x1, x2, signs):
    s = np.zeros_like(x1)
    for k in range(1, K + 1):
        a, b = x1 * 2**k, x2 * 2**k
        j1, j2 = np.floor(a).astype(np.int64), np.floor(b).astype(np.int64)
        sg = signs[k][np.clip(j1, 0, 2**k - 1), np.clip(j2, 0, 2**k - 1)]
        s += 2.0**-k * sg * phi(a - j1) * phi(b - j2)
    return s


def kuhn(v00, v10, v01, v11, s, t):
    """Linear interpolation on the two triangles of a square (diagonal along (1, 1))."""
    return np.where(s >= t, v00 + s * (v10 - v00) + t * (v11 - v10), v00 + t * (v01 - v00) + s * (v11 - v01))


def emulate(n_coarse, m, signs, sub=5):
    n = n_coarse * m
    g = np.arange(n + 1) / n
    X, Y = np.meshgrid(g, g, indexing="ij")
    F = target(X, Y, signs)
    C = F[::m, ::m]
    a = np.arange(n + 1)
    c = np.minimum(a // m, n_coarse - 1)
    s = (a - c * m) / m
    S, T = s[:, None] * np.ones((1, n + 1)), s[None, :] * np.ones((n + 1, 1))
    F1 = kuhn(C[c[:, None], c[None, :]], C[c[:, None] + 1, c[None, :]], C[c[:, None], c[None, :] + 1],
              C[c[:, None] + 1, c[None, :] + 1], S, T)
    R = F - F1
    order = [(col, r) for r in range(m + 1) for col in (range(m + 1) if r % 2 == 0 else range(m, -1, -1))]
    idx = np.arange(n_coarse)
    Rb = np.stack([R[idx[:, None] * m + col, idx[None, :] * m + r] for col, r in order], axis=-1)
    eps = np.abs(np.diff(Rb, axis=-1)).max()
    q = np.zeros(Rb.shape[:2])
    steps = []
    for i in range(1, len(order)):
        st = np.clip(np.round(Rb[..., i] / eps) - q, -1, 1)
        q = q + st
        steps.append(st)
    Q = np.zeros_like(R)   # tracked q at every fine node
    for i, (col, r) in enumerate(order):
        qi = sum(steps[:i]) if i else np.zeros(Rb.shape[:2])
        Q[idx[:, None] * m + col, idx[None, :] * m + r] = qi
    G = F1 + eps * Q
    inner = np.arange(2, m - 2)
    worst_tri = worst_snake = 0.0
    V00, V10 = C[:-1, :-1][:, :, None, None], C[1:, :-1][:, :, None, None]
    V01, V11 = C[:-1, 1:][:, :, None, None], C[1:, 1:][:, :, None, None]
    for u in range(sub):
        for v in range(sub):
            su, tv = (u + 0.5) / sub, (v + 0.5) / sub
            U1 = (inner[:, None] + su) * np.ones((1, len(inner)))
            U2 = (inner[None, :] + tv) * np.ones((len(inner), 1))
            gsum = np.zeros((n_coarse, n_coarse, len(inner), len(inner)))
            for i, (col, r) in enumerate(order):
                if i == 0:
                    continue
                d = 1 if r % 2 == 0 else -1
                psi = np.maximum(np.clip(U2 - r, 0, 1), np.minimum(np.clip(U2 - r + 1, 0, 1), np.clip(1 + d * (U1 - col), 0, 1)))
                gsum += steps[i - 1][:, :, None, None] * psi[None, None]
            x1 = (idx[:, None, None, None] * m + U1[None, None]) / n * np.ones_like(gsum)
            x2 = (idx[None, :, None, None] * m + U2[None, None]) / n * np.ones_like(gsum)
            f = target(x1, x2, signs)
            f1 = kuhn(V00, V10, V01, V11, (U1 / m)[None, None], (U2 / m)[None, None])
            worst_snake = max(worst_snake, np.abs(f - f1 - eps * gsum).max())
            # The same points with the quantised values interpolated on the fine triangles.
            a1 = (idx[:, None, None, None] * m + inner[:, None][None, None]) * np.ones_like(gsum, dtype=np.int64)
            a2 = (idx[None, :, None, None] * m + inner[None, :][None, None]) * np.ones_like(gsum, dtype=np.int64)
            tri = kuhn(G[a1, a2], G[a1 + 1, a2], G[a1, a2 + 1], G[a1 + 1, a2 + 1], su, tv)
            worst_tri = max(worst_tri, np.abs(f - tri).max())
    return eps, worst_tri, worst_snake


if __name__ == "__main__":
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed)
        signs = {k: rng.choice([-1.0, 1.0], size=(2**k, 2**k)) for k in range(1, K + 1)}
        cols = []
        for N in (13, 15, 16, 17):
            h = 1 / (N * N)
            unit = h * math.log2(1 / h)
            e, t, s = emulate(N, N, signs)
            cols.append(f"N={N}: eps {e / unit:.2f} tri {t / unit:.2f} snake {s / unit:.2f}")
        print(f"seed {seed}  " + " | ".join(cols), flush=True)
