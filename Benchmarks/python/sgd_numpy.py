"""numpy peer of the online SGD benchmark (scripts/bench-sgd.sh, docs/dynamics-sgd.md).

Reads the problem written by `approx-cli dynamics sgd bench` (initial student and teacher
weights, shared inputs and label noises, the Swift result on them), runs the same update
    w_j += (gamma / (p sqrt(d))) (y - yhat) g'(lambda_j) x,  g = erf(./sqrt 2),
on the shared samples and reports the largest difference from Swift's weights, then times one
unit of SGD time (d steps at kappa = delta = 0) on fresh samples from numpy's generator, best of
the repeats. Prints one JSON line.
"""
import json
import math
import sys
import time

import numpy as np
from math import erf

folder = sys.argv[1]
swift = json.loads(sys.argv[2])
d, p, k = swift["d"], swift["p"], swift["k"]
gamma, noise, repeats = swift["learning_rate"], swift["label_noise"], int(sys.argv[3]) if len(sys.argv) > 3 else 5
student = np.fromfile(f"{folder}/student.f64", dtype="<f8").reshape(p, d)
teacher = np.fromfile(f"{folder}/teacher.f64", dtype="<f8").reshape(k, d)
inputs = np.fromfile(f"{folder}/inputs.f64", dtype="<f8").reshape(-1, d)
noises = np.fromfile(f"{folder}/noises.f64", dtype="<f8")
swift_final = np.fromfile(f"{folder}/swift-final.f64", dtype="<f8").reshape(p, d)

sqrt_d = math.sqrt(d)
scale = gamma / (p * sqrt_d)
root_noise = math.sqrt(noise)
c_gp = math.sqrt(2 / math.pi)
stacked = np.vstack([student, teacher])
try:
    from scipy.special import erf as verf  # the usual vectorised erf
    erf_source = "scipy.special.erf"
except ImportError:
    verf = np.vectorize(erf)
    erf_source = "math.erf"


def g(z):
    return verf(z / math.sqrt(2))


def step(w, wt, x, xi):
    lam = w @ x / sqrt_d
    rho = wt @ x / sqrt_d
    err = g(rho).mean() - g(lam).mean() + root_noise * xi
    w += np.outer(scale * err * c_gp * np.exp(-0.5 * lam * lam), x)


w = student.copy()
for s in range(inputs.shape[0]):
    step(w, teacher, inputs[s], noises[s])
difference = float(np.max(np.abs(w - swift_final)))

rng = np.random.default_rng(1)
unit = d
best = math.inf
for r in range(repeats):
    w = student.copy()
    t0 = time.perf_counter()
    for _ in range(unit):
        x = rng.standard_normal(d)
        step(w, teacher, x, rng.standard_normal())
    best = min(best, time.perf_counter() - t0)
print(json.dumps({"tool": f"numpy {np.__version__}", "erf": erf_source, "unit_seconds": best, "unit_steps": unit, "max_weight_difference": difference,
                  "check_steps": int(inputs.shape[0])}))
