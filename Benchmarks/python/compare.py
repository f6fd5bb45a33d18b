"""Compares the benchmark outputs bit for bit and prints the timings as per-point ratios.
usage: compare.py DIR TIMINGS.jsonl  (writes DIR/summary.md and prints it)"""
import json
import sys
from fractions import Fraction


def hex_exact(s):
    s = s.strip()
    sign = -1 if s.startswith("-") else 1
    s = s.lstrip("-")
    if s in ("0", "0x0p+0", "0x0"):
        return Fraction(0)
    mant, exp = s[2:].split("p")
    if "." in mant:
        whole, frac = mant.split(".")
    else:
        whole, frac = mant, ""
    value = int(whole + frac, 16)
    return sign * Fraction(value) * Fraction(2) ** (int(exp) - 4 * len(frac))


def read(path, kind):
    with open(path) as f:
        lines = [l for l in f.read().split("\n") if l]
    return [hex_exact(l) if kind == "hex" else Fraction(l) for l in lines]


def main():
    folder, timings = sys.argv[1], sys.argv[2]
    rows = [json.loads(l) for l in open(timings) if l.strip()]
    per_point = {(r["impl"], r["precision"], r["threads"]): r["seconds"] / r["points"] for r in rows}
    precisions = sorted({r["precision"] for r in rows if r["impl"] == "swift-mpfr" and r["precision"] != 53})
    out = ["| bits | Swift 1 thread (ms/point) | C loop (ms/point) | Swift / C | Swift 2 threads / C | gmpy2 / Swift | mpmath / Swift | bits identical |",
           "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for p in precisions:
        swift = read(f"{folder}/swift-{p}.txt", "hex")
        same = {"C": read(f"{folder}/c-{p}.txt", "hex") == swift}
        for peer in ("gmpy2", "mpmath"):
            try:
                values = read(f"{folder}/{peer}-{p}.txt", "exact")
                same[peer] = values == swift[:len(values)]
            except FileNotFoundError:
                pass
        s1, s2, c = per_point[("swift-mpfr", p, 1)], per_point[("swift-mpfr", p, 2)], per_point[("c-mpfr", p, 1)]
        g = per_point.get(("gmpy2", p, 1)); m = per_point.get(("mpmath", p, 1))
        out.append(f"| {p} | {s1*1e3:.3f} | {c*1e3:.3f} | {s1/c:.3f} | {s2/c:.3f} | "
                   f"{(g/s1 if g else float('nan')):.1f} | {(m/s1 if m else float('nan')):.1f} | "
                   + ", ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in same.items()) + " |")
    f1, f2, n = per_point.get(("swift-float64", 53, 1)), per_point.get(("swift-float64", 53, 2)), per_point.get(("numpy", 53, 1))
    if f1 and n:
        out.append("")
        out.append("| float64 | Swift 1 thread (µs/point) | Swift 2 threads (µs/point) | numpy (µs/point) | Swift 1 / numpy | Swift 2 / numpy |")
        out.append("|---|---:|---:|---:|---:|---:|")
        out.append(f"| dense 8x64 ReLU | {f1*1e6:.3f} | {f2*1e6:.3f} | {n*1e6:.3f} | {f1/n:.3f} | {f2/n:.3f} |")
    text = "\n".join(out) + "\n"
    open(f"{folder}/summary.md", "w").write(text)
    print(text)


if __name__ == "__main__":
    main()
