"""Load an ApproxRates network file and evaluate it with mpmath (exact bits) or numpy (float64).
usage: python3 load_network.py NET.json X [PRECISION_BITS]"""
import json, sys
import mpmath

def load(path):
    net = json.load(open(path))
    assert net["format"] == "approxrates-network" and net["version"] == 1
    return net

def evaluate(net, x, prec):
    """Same operations and order as approx-cli eval: acc = b_i, then acc += W_ij * x_j."""
    mpmath.mp.prec = prec
    v = [mpmath.mpf(t) for t in x]                      # inputs rounded to prec
    for layer in net["layers"]:
        mpmath.mp.prec = layer["precision"]                # read each number at its layer's precision
        if layer["storage"] == "dense":
            entries = [(i, j, mpmath.mpf(w)) for i, row in enumerate(layer["weights"]) for j, w in enumerate(row)]
        else:
            entries = [(i, j, mpmath.mpf(w)) for i, j, w in layer["entries"]]
        bias = [mpmath.mpf(b) for b in layer["bias"]]
        mpmath.mp.prec = prec                              # then work at the evaluation precision
        entries = [(i, j, +w) for i, j, w in entries]; bias = [+b for b in bias]
        acts = layer["activation"]
        acts = acts if isinstance(acts, list) else [acts] * layer["outputs"]
        out = list(bias)
        for i, j, w in entries:                             # entries are stored row by row, columns increasing
            out[i] = out[i] + w * v[j]
        v = [activate(a, y) for a, y in zip(acts, out)]
    return v

def activate(name, y):
    if name == "identity": return y
    if name == "relu": return y if y > 0 else mpmath.mpf(0)
    if name.startswith("relu^"): return y ** int(name[5:]) if y > 0 else mpmath.mpf(0)
    if name == "sine": return mpmath.sin(y)
    if name == "step": return mpmath.mpf(1) if y >= 0 else mpmath.mpf(0)
    raise ValueError(name)

if __name__ == "__main__":
    net = load(sys.argv[1])
    prec = int(sys.argv[3]) if len(sys.argv) > 3 else 128
    print([mpmath.nstr(y, 40) for y in evaluate(net, sys.argv[2].split(","), prec)])
