"""JAX peer of `approx-cli dynamics bench` (scripts/bench-dynamics.sh).

Reads the problem the Swift side wrote (architecture, theta, x, y and the Lanczos start vector as
raw little-endian float64; the ReLU MLP, or the Myrtle-style ReLU CNN on 8x8 images, whose layers the
problem lists), and times on the CPU, jitted, median of `repeats` after a warm-up:
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


def mlp_loss(problem, x, y):
    sizes = problem["sizes"]
    offsets = np.cumsum([0] + [sizes[l] * sizes[l - 1] for l in range(1, len(sizes))])
    depth = len(sizes) - 1

    def loss(t):
        a = x
        for l in range(1, depth + 1):
            w = t[offsets[l - 1]:offsets[l]].reshape(sizes[l], sizes[l - 1])
            z = a @ w.T
            a = jnp.maximum(z, 0.0) if l < depth else z
        return 0.5 * jnp.mean((a - y) ** 2)
    return loss


def cnn_loss(problem, x, y):
    """3x3 'SAME' convolutions (lax.conv_general_dilated, NHWC/HWIO), 2x2 average pools, dense head.
    The Swift layout of a convolution's weights is C_out x 9 C_in with column (3 k_y + k_x) C_in + c."""
    n, side, cin0, width = problem["samples"], problem["side"], problem["channels"], problem["width"]
    offsets, outputs = problem["offsets"], problem["outputs"]
    images = x.reshape(n, side, side, cin0)

    def loss(t):
        a = images
        for op in problem["operations"]:
            if "convolution" in op:
                i, cin = op["convolution"], op["input_channels"]
                w = t[offsets[i]:offsets[i + 1]].reshape(width, 3, 3, cin).transpose(1, 2, 3, 0)
                z = jax.lax.conv_general_dilated(a, w, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
                a = jnp.maximum(z, 0.0)
            else:
                s = a.shape[1]
                a = a.reshape(n, s // 2, 2, s // 2, 2, a.shape[3]).mean(axis=(2, 4))
        head = t[offsets[-2]:offsets[-1]].reshape(outputs, width)
        f = a.reshape(n, width) @ head.T
        return 0.5 * jnp.mean((f - y) ** 2)
    return loss


def main(folder):
    problem = json.load(open(f"{folder}/problem.json"))
    theta = np.fromfile(f"{folder}/theta.f64", dtype="<f8")
    x = jnp.asarray(np.fromfile(f"{folder}/x.f64", dtype="<f8").reshape(problem["samples"], problem["inputs"]))
    y = jnp.asarray(np.fromfile(f"{folder}/y.f64", dtype="<f8").reshape(problem["samples"], problem["outputs"]))
    start = np.fromfile(f"{folder}/start.f64", dtype="<f8")
    loss = cnn_loss(problem, x, y) if problem.get("model") == "cnn" else mlp_loss(problem, x, y)

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
