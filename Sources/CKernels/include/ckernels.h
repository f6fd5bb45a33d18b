#ifndef CKERNELS_H
#define CKERNELS_H
// Elementwise float64 kernels of the training engines, compiled for several instruction sets and
// chosen at run time (target_clones), with floating-point contraction off so that every clone
// gives the same bits as the plain C (and Swift) evaluation order.

/// Replaces x[0..n) by tanh(x) with the algorithm of FastTanh (Dynamics/FastTanh.swift), bit for bit.
void ck_tanh_inplace(double *x, long n);

/// g[i] *= 1 - h[i]^2 (tanh' from the activation), i in 0..n.
void ck_tanh_backward(double *g, const double *h, long n);

/// One AdamW step in PyTorch's order on n parameters:
/// theta *= decay; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g g;
/// theta -= step * m / (sqrt(v) * inv_root2 + eps).
void ck_adamw(double *theta, double *m, double *v, const double *g, long n,
              double decay, double b1, double b2, double step, double inv_root2, double eps);

#endif
