"""JAX peer of `approx-cli dynamics bench` (scripts/bench-dynamics.sh).

Reads the problem the Swift side wrote (architecture, theta, x, y and the Lanczos start vector as
raw little-endian float64), and times on the CPU, jitted, median of `repeats` after a warm-up:
(a) one top-eigenvalue estimate: the same Lanczos (full reorthogonalisation, `lanczos` products
from the same start vector, plus one for the residual) on jax.jvp-of-jax.grad Hessian-vector
products; (b) one full-batch gradient step. Prints one JSON line like the Swift side.

Usage: python3 jax_sharpness.py OUT_FOLDER
"""
import json
import sys
import time

import numpy as np
import jax
import jax.numpy as jnp

jax.config.update("jax_enable_x64", True)


def main(folder):
    problem = json.load(open(f"{folder}/problem.json"))
    sizes = problem["sizes"]
    theta = np.fromfile(f"{folder}/theta.f64", dtype="<f8")
    x = jnp.asarray(np.fromfile(f"{folder}/x.f64", dtype="<f8").reshape(problem["samples"], sizes[0]))
    y = jnp.asarray(np.fromfile(f"{folder}/y.f64", dtype="<f8").reshape(problem["samples"], sizes[-1]))
    start = np.fromfile(f"{folder}/start.f64", dtype="<f8")
    offsets = np.cumsum([0] + [sizes[l] * sizes[l - 1] for l in range(1, len(sizes))])
    depth = len(sizes) - 1

    def loss(t):
        a = x
        for l in range(1, depth + 1):
            w = t[offsets[l - 1]:offsets[l]].reshape(sizes[l], sizes[l - 1])
            z = a @ w.T
            a = jnp.maximum(z, 0.0) if l < depth else z
        return 0.5 * jnp.mean((a - y) ** 2)

    grad = jax.grad(loss)
    hvp = jax.jit(lambda t, v: jax.jvp(grad, (t,), (v,))[1])
    eta = problem["eta"]
    step = jax.jit(lambda t: t - eta * grad(t))
    t = jnp.asarray(theta)

    def top_eigenvalue():
        k = problem["lanczos"]
        q = start / np.linalg.norm(start)
        basis, alpha, beta = [], [], []
        for j in range(k):
            basis.append(q)
            w = np.asarray(hvp(t, jnp.asarray(q)))
            alpha.append(float(w @ q))
            for _ in range(2):
                for b in basis:
                    w = w - (w @ b) * b
            bn = float(np.linalg.norm(w))
            if j == k - 1 or bn == 0:
                break
            beta.append(bn)
            q = w / bn
        m = len(alpha)
        T = np.diag(alpha) + np.diag(beta[:m - 1], 1) + np.diag(beta[:m - 1], -1)
        vals, vecs = np.linalg.eigh(T)
        s = vecs[:, -1]
        yv = sum(c * b for c, b in zip(s, basis))
        yv /= np.linalg.norm(yv)
        hy = np.asarray(hvp(t, jnp.asarray(yv)))
        return vals[-1], float(np.linalg.norm(hy - vals[-1] * yv) / abs(vals[-1])), m + 1

    def timed(body):
        body()
        times = []
        out = None
        for _ in range(problem["repeats"]):
            s = time.perf_counter()
            out = body()
            times.append(time.perf_counter() - s)
        return sorted(times)[len(times) // 2], out

    sharpness_seconds, (value, residual, products) = timed(top_eigenvalue)
    step_seconds, stepped = timed(lambda: step(t).block_until_ready())
    print(json.dumps({"tool": "jax " + jax.__version__, "sharpness": float(value), "residual": residual, "products": products,
                      "sharpness_seconds": sharpness_seconds, "step_seconds": step_seconds,
                      "loss_after_step": float(loss(stepped)), "parameters": int(theta.size)}, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
