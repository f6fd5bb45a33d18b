#include "ckernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#if defined(__x86_64__) && defined(__clang__)
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

static inline __attribute__((always_inline)) double tanh_one(double x) {
    double a = fabs(x);
    // Small branch: x * g(x^2).
    double s = x * x;
    double p = -1.6001499513001042e-05;
    p = p * s + 7.698563199045423e-05; p = p * s + (-0.00022841018529512851); p = p * s + 0.0005862314316050611;
    p = p * s + (-0.0014549293858543903); p = p * s + 0.003591982521583925; p = p * s + (-0.008863220021256096);
    p = p * s + 0.021869487483410596; p = p * s + (-0.053968253925945696); p = p * s + 0.13333333333245254;
    p = p * s + (-0.33333333333332615); p = p * s + 1.0;
    double small = x * p;
    // Large branch on a clamped to [0.625, 20): 1 - 2/(e^(2a) + 1).
    double b = a < 0.625 ? 0.625 : (a < 20 ? a : 19.0);
    double y = 2 * b;
    double shifted = y * 1.4426950408889634 + 6755399441055744.0;
    double n = shifted - 6755399441055744.0;
    double r = (y - n * 0.6931471803691238) - n * 1.9082149292705877e-10;
    double q = 1.0 / 6227020800;
    q = q * r + 1.0 / 479001600; q = q * r + 1.0 / 39916800; q = q * r + 1.0 / 3628800; q = q * r + 1.0 / 362880;
    q = q * r + 1.0 / 40320; q = q * r + 1.0 / 5040; q = q * r + 1.0 / 720; q = q * r + 1.0 / 120;
    q = q * r + 1.0 / 24; q = q * r + 1.0 / 6; q = q * r + 0.5; q = q * r + 1; q = q * r + 1;
    int64_t bits, magic;
    memcpy(&bits, &shifted, 8);
    double m52 = 6755399441055744.0;
    memcpy(&magic, &m52, 8);
    int64_t scale_bits = (bits - magic + 1023) << 52;
    double scale;
    memcpy(&scale, &scale_bits, 8);
    double t = 1 - 2 / (q * scale + 1);
    double large = x < 0 ? -t : t;
    double sign = x > 0 ? 1.0 : -1.0;
    double result = a < 0.625 ? small : (a < 20 ? large : sign);
    return x != x ? x : result;
}

CLONES void ck_tanh_inplace(double *x, long n) {
    for (long i = 0; i < n; i++) x[i] = tanh_one(x[i]);
}

CLONES void ck_tanh_backward(double *g, const double *h, long n) {
    for (long i = 0; i < n; i++) g[i] *= 1 - h[i] * h[i];
}

CLONES void ck_adamw(double *theta, double *m, double *v, const double *g, long n,
                     double decay, double b1, double b2, double step, double inv_root2, double eps) {
    double c1 = 1 - b1, c2 = 1 - b2;
    for (long i = 0; i < n; i++) {
        double t = theta[i] * decay;
        double mi = b1 * m[i] + c1 * g[i];
        double vi = b2 * v[i] + c2 * g[i] * g[i];
        m[i] = mi; v[i] = vi;
        theta[i] = t - step * mi / (sqrt(vi) * inv_root2 + eps);
    }
}
