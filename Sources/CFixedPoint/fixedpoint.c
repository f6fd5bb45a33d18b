// Fixed-point network evaluation over mpn with a per-point error certificate (cfixedpoint.h).
//
// Arithmetic: every unit's sum is formed in an accumulator of limbs + 1 limbs, two's complement,
// modulo 2^(64 (limbs + 1)): additions and multiplications by integers are exact in that ring,
// so the sum is exact unless (a) a term is shifted right (its discarded bits, when not all zero,
// count as one unit in the last place each: the floor is within 2^-frac) or (b) the sum leaves
// the range of `limbs` limbs (then the bound is +inf). The bound of a unit is
//   E_u = (sum_j |w_uj| E_j)(1 + 2^-40) + (inexact terms) 2^-frac,
// ReLU is 1-Lipschitz, and a ReLU whose pre-activation is certainly <= 0 (its value and bound,
// or the one-sided bound from non-negative inputs) is exactly 0 with bound 0, whatever its
// inputs' bounds: that is how a deep network's certificate stays finite where a chain computes
// values that are then cut off.
#include "cfixedpoint.h"
#include <gmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EXPANSION_LIMIT 64

// Flags of a unit's last evaluation.
enum { CHANGED = 1, ZERO = 2, LINEAR = 4 };

struct cfx_workspace {
    uint64_t *values;    // all units' values
    uint8_t *dirty;      // an input changed since the unit was last computed
    double *bound;       // E_u
    uint8_t *flags;      // CHANGED, ZERO (all limbs 0), LINEAR (a ReLU certainly on: exactly its pre-activation)
    double *approx;      // the value as a double (relative 2^-60)
    double *own;         // the rounding of the unit's own sum (units in the last place times 2^-frac)
    int32_t *keys;       // expansion scratch: input units and their coefficients
    double *coefficients;
    double *magnitudes;  // the sums of |products| behind each coefficient
    uint8_t *exact;      // each coefficient is exactly its float64 value
    uint64_t *acc, *tmp, *tmp2, *prod;
    int valid;
};

static inline void copy_limbs(uint64_t *d, const uint64_t *s, int32_t n) { for (int32_t i = 0; i < n; i++) d[i] = s[i]; }
static inline void zero_limbs(uint64_t *d, int32_t n) { for (int32_t i = 0; i < n; i++) d[i] = 0; }
static inline int equal_limbs(const uint64_t *a, const uint64_t *b, int32_t n) {
    for (int32_t i = 0; i < n; i++) if (a[i] != b[i]) return 0;
    return 1;
}

static inline uint64_t ext_of(const uint64_t *x, int32_t n) { return (uint64_t)((int64_t)x[n - 1] >> 63); }

cfx_workspace *cfx_workspace_create(const cfx_network *net) {
    cfx_workspace *ws = calloc(1, sizeof *ws);
    if (!ws) return NULL;
    int64_t u = net->unit_count;
    size_t wide = (size_t)net->max_limbs + (size_t)net->max_long_limbs + 4;
    ws->values = calloc((size_t)net->value_limbs + 1, sizeof(uint64_t));
    ws->bound = calloc((size_t)u, sizeof(double));
    ws->flags = calloc((size_t)u, 1);
    ws->approx = calloc((size_t)u, sizeof(double));
    ws->own = calloc((size_t)u, sizeof(double));
    ws->dirty = calloc((size_t)u, 1);
    ws->keys = calloc(EXPANSION_LIMIT, sizeof(int32_t));
    ws->coefficients = calloc(EXPANSION_LIMIT, sizeof(double));
    ws->magnitudes = calloc(EXPANSION_LIMIT, sizeof(double));
    ws->exact = calloc(EXPANSION_LIMIT, 1);
    ws->acc = calloc(wide, sizeof(uint64_t));
    ws->tmp = calloc(wide, sizeof(uint64_t));
    ws->tmp2 = calloc(wide, sizeof(uint64_t));
    ws->prod = calloc(wide, sizeof(uint64_t));
    if (!ws->values || !ws->bound || !ws->flags || !ws->approx || !ws->own || !ws->dirty || !ws->keys || !ws->coefficients || !ws->magnitudes || !ws->exact || !ws->acc || !ws->tmp || !ws->tmp2 || !ws->prod) {
        cfx_workspace_destroy(ws);
        return NULL;
    }
    return ws;
}

void cfx_workspace_destroy(cfx_workspace *ws) {
    if (!ws) return;
    free(ws->values); free(ws->bound); free(ws->flags); free(ws->approx); free(ws->own); free(ws->dirty); free(ws->keys); free(ws->coefficients); free(ws->magnitudes); free(ws->exact);
    free(ws->acc); free(ws->tmp); free(ws->tmp2); free(ws->prod);
    free(ws);
}

void cfx_workspace_reset(cfx_workspace *ws) { ws->valid = 0; }

// The 64 bits of the two's-complement integer x (n limbs, sign-extended above, zero below bit 0)
// starting at bit `pos` (any integer).
static inline uint64_t bits_at(const uint64_t *x, int32_t n, int64_t pos) {
    uint64_t ext = ext_of(x, n);
    int64_t q = pos >> 6;            // floor division
    int r = (int)(pos & 63);
    uint64_t lo = q < 0 ? 0 : (q < n ? x[q] : ext);
    if (r == 0) return lo;
    int64_t q1 = q + 1;
    uint64_t hi = q1 < 0 ? 0 : (q1 < n ? x[q1] : ext);
    return (lo >> r) | (hi << (64 - r));
}

// acc (la limbs) += p * 2^k, p two's complement of np limbs; floor when k < 0. Returns 1 when
// bits were discarded. t: la limbs of scratch.
static int add_shifted(uint64_t *acc, int32_t la, const uint64_t *p, int32_t np, int64_t k, uint64_t *t) {
    int inexact = 0;
    if (k < 0) {
        int64_t s = -k;
        int64_t full = s >> 6;
        for (int64_t i = 0; i < full && i < np; i++) if (p[i]) { inexact = 1; break; }
        if (!inexact) {
            int r = (int)(s & 63);
            if (full < np && r && (p[full] & ((UINT64_C(1) << r) - 1))) inexact = 1;
            if (full >= np && ext_of(p, np)) inexact = 1; // a negative p shifted out entirely
        }
    }
    // t[i] holds the bits of p at 64 (i - q) - r, q = floor(k / 64), r = k mod 64.
    int64_t q = k >> 6;
    int r = (int)(k & 63);
    uint64_t ext = ext_of(p, np);
    for (int32_t i = 0; i < la; i++) {
        int64_t idx = (int64_t)i - q;
        uint64_t hi = idx < 0 ? 0 : (idx < np ? p[idx] : ext);
        if (r == 0) t[i] = hi;
        else {
            int64_t jdx = idx - 1;
            uint64_t lo = jdx < 0 ? 0 : (jdx < np ? p[jdx] : ext);
            t[i] = (hi << r) | (lo >> (64 - r));
        }
    }
    mpn_add_n(acc, acc, t, la);
    return inexact;
}

// acc (la limbs) += m * x, x two's complement of nx limbs, |m| < 2^63; modulo 2^(64 la).
static inline __attribute__((always_inline)) void add_mul_small(uint64_t *acc, int32_t la, const uint64_t *x, int32_t nx, int64_t m) {
    int32_t n = nx < la ? nx : la;
    int neg = n == nx && (int64_t)x[nx - 1] < 0;
    if (m == 1 || m == -1) {
        uint64_t c = m == 1 ? mpn_add_n(acc, acc, x, n) : mpn_sub_n(acc, acc, x, n);
        if (n < la) {
            // x's sign extension above limb n is -2^(64 n) when x < 0.
            int64_t delta = m == 1 ? (int64_t)c - neg : -(int64_t)c + neg;
            if (delta > 0) mpn_add_1(acc + n, acc + n, la - n, (uint64_t)delta);
            else if (delta < 0) mpn_sub_1(acc + n, acc + n, la - n, (uint64_t)(-delta));
        }
        return;
    }
    uint64_t am = m < 0 ? (uint64_t)(-m) : (uint64_t)m;
    uint64_t c = m > 0 ? mpn_addmul_1(acc, x, n, am) : mpn_submul_1(acc, x, n, am);
    if (n < la) {
        // Unsigned x is x + 2^(64 n) when x < 0: m 2^(64 n) too many, plus the carry (borrow) c.
        // For m > 0 add c - (neg ? m : 0) at limb n; for m < 0 subtract c and add (neg ? |m| : 0).
        if (m > 0) {
            if (c) mpn_add_1(acc + n, acc + n, la - n, c);
            if (neg) mpn_sub_1(acc + n, acc + n, la - n, am);
        } else {
            if (c) mpn_sub_1(acc + n, acc + n, la - n, c);
            if (neg) mpn_add_1(acc + n, acc + n, la - n, am);
        }
    }
}

// 2^e as a double (e within the normal range, else ldexp).
static inline double pow2i(int64_t e) {
    if (e < -1022 || e > 1023) return ldexp(1.0, (int)(e < -2000 ? -2000 : (e > 2000 ? 2000 : e)));
    union { uint64_t u; double d; } v = { (uint64_t)(e + 1023) << 52 };
    return v.d;
}

// The value of two's-complement x (n limbs) times 2^-frac, as a double within a relative 2^-60
// (a negative x is read through its ones' complement, off by one unit in the last place).
static double approx_value(const uint64_t *x, int32_t n, int32_t frac) {
    int neg = (int64_t)x[n - 1] < 0;
    uint64_t flip = neg ? ~UINT64_C(0) : 0;
    int32_t top = n - 1;
    while (top >= 0 && (x[top] ^ flip) == 0) top--;
    if (top < 0) return neg ? -pow2i(-(int64_t)frac) : 0.0;
    double v = (double)(x[top] ^ flip);
    if (top > 0) v += (double)(x[top - 1] ^ flip) * 0x1p-64;
    v *= pow2i(64 * (int64_t)top - frac);
    return neg ? -v : v;
}

static inline void mark_consumers(const cfx_network *net, uint8_t *dirty, int64_t j) {
    int32_t first = j == 0 ? 0 : net->consumer_end[j - 1];
    for (int32_t c = first; c < net->consumer_end[j]; c++) dirty[net->consumers[c]] = 1;
}

static inline double unit_epsilon(int32_t frac) { return pow2i(frac > 1000 ? -1000 : -frac); }

// An interval [*lo, *hi] holding the exact pre-activation of unit u, from its inputs' values
// and bounds, using that ReLU and step outputs are never negative (a negative weight on one of
// them adds at most w max(0, v - E), finite even when E is +inf). Widened by a relative 2^-45
// of the terms' magnitudes (the float64 rounding of weights, values and sums).
static void enclosure(const cfx_network *net, const cfx_workspace *ws, const cfx_unit *u, int32_t start, int32_t end,
                      double *lo_out, double *hi_out) {
    double lo = u->bias_double, hi = u->bias_double;
    double slop_lo = fabs(u->bias_double), slop_hi = slop_lo;
    for (int32_t t = start; t < end; t++) {
        const cfx_term *term = &net->terms[t];
        int32_t j = term->column;
        double v = ws->approx[j], e = ws->bound[j];
        double a = v - e, b = v + e;
        if (net->nonneg[j] && !(a >= 0)) a = 0;
        double w = term->w;
        double p = w * a, q = w * b;
        if (w < 0) { double swap = p; p = q; q = swap; }
        lo += p; hi += q;
        if (isfinite(p)) slop_lo += fabs(p);
        if (isfinite(q)) slop_hi += fabs(q);
    }
    *lo_out = lo - slop_lo * 0x1p-45;
    *hi_out = hi + slop_hi * 0x1p-45;
}

// A second bound on unit u's sum, through its inputs that are ReLUs certainly on: such an input
// is exactly its own pre-activation, so its terms are expanded one level and coefficients on the
// same unit add up before their bounds are taken. This keeps cancellations the linear bound
// loses: a plateau indicator sigma(t) - sigma(t - 1) = 1 and a digit's gap ramps
// 2 sigma(5z - a) - 2 sigma(5z - b) = 1 carry no error of t or z, and a digit-extraction step
// z' = 5z - 2(ramps) has bound 5 E_z, not 85 E_z. +inf when it does not apply.
static inline int32_t coefficient_slot(cfx_workspace *ws, int32_t *n, int32_t k) {
    int32_t i = 0;
    while (i < *n && ws->keys[i] != k) i++;
    if (i == *n) {
        if (*n == EXPANSION_LIMIT) return -1;
        ws->keys[i] = k; ws->coefficients[i] = 0; ws->magnitudes[i] = 0; ws->exact[i] = 1;
        (*n)++;
    }
    return i;
}

// coefficient i += c (c exactly a product when `exact`), tracking whether the sum stays exact.
static inline void accumulate(cfx_workspace *ws, int32_t i, double c, int exact) {
    double a = ws->coefficients[i], s = a + c, bb = s - a;
    if (!exact || (a - (s - bb)) + (c - bb) != 0) ws->exact[i] = 0;
    ws->coefficients[i] = s;
    ws->magnitudes[i] += fabs(c);
}

static double expanded_bound(const cfx_network *net, cfx_workspace *ws, int32_t start, int32_t end) {
    int32_t n = 0;
    double rest = 0;
    for (int32_t t = start; t < end; t++) {
        const cfx_term *term = &net->terms[t];
        int32_t j = term->column;
        double ej = ws->bound[j];
        if (ej == 0) continue;
        if ((ws->flags[j] & LINEAR)) {
            rest += fabs(term->w) * ws->own[j];
            if (j < net->inputs) return INFINITY;
            int32_t first = net->units[j - 1].term_end;   // j >= inputs >= 1; inputs have no terms
            for (int32_t s2 = first; s2 < net->units[j].term_end; s2++) {
                const cfx_term *inner = &net->terms[s2];
                int32_t k = inner->column;
                if (ws->bound[k] == 0) continue;
                double c = term->w * inner->w;
                int exact = (term->kind & 2) && (inner->kind & 2) && fma(term->w, inner->w, -c) == 0;
                int32_t i = coefficient_slot(ws, &n, k);
                if (i < 0) return INFINITY;
                accumulate(ws, i, c, exact);
            }
        } else {
            int32_t i = coefficient_slot(ws, &n, j);
            if (i < 0) return INFINITY;
            accumulate(ws, i, term->w, (term->kind & 2) != 0);
        }
    }
    double sum = rest;
    for (int32_t i = 0; i < n; i++) {
        // Float64 weights, products and sums are within 2^-45 of the magnitudes behind each
        // coefficient, and exact when every one of them was (small integer weights).
        double slack = ws->exact[i] ? 0 : ws->magnitudes[i] * 0x1p-45;
        sum += (fabs(ws->coefficients[i]) + slack) * ws->bound[ws->keys[i]];
    }
    return sum;
}

// The bound of a value v whose exact counterpart lies in [lo, hi] (+inf when unbounded).
static inline double radius(double v, double lo, double hi) {
    double r = fmax(v - lo, hi - v);
    return isnan(r) ? INFINITY : r * (1 + 0x1p-45) + fabs(v) * 0x1p-50 + 0x1p-1000;
}

int64_t cfx_evaluate(const cfx_network *net, cfx_workspace *ws, const double *x) {
    const cfx_unit *units = net->units;
    const cfx_term *terms = net->terms;
    uint64_t *values = ws->values;
    int64_t computed = 0;
    // Inputs: x = f 2^e exactly (53-bit f); X = x 2^frac, floored when x has more fractional bits.
    for (int64_t j = 0; j < net->inputs; j++) {
        const cfx_unit *u = &units[j];
        uint64_t *acc = ws->acc;
        int32_t la = u->limbs;
        memset(acc, 0, sizeof(uint64_t) * (size_t)(la + 1));
        double v = x[j], bound = 0;
        int ok = isfinite(v);
        if (ok && v != 0) {
            int e;
            double f = frexp(fabs(v), &e);
            uint64_t mant = (uint64_t)ldexp(f, 53);
            int64_t k = (int64_t)e - 53 + u->frac;
            uint64_t one[2] = {mant, 0};
            if (add_shifted(acc, la + 1, one, 2, k, ws->tmp)) bound = unit_epsilon(u->frac);
            if (v < 0) mpn_neg(acc, acc, la + 1);
            if (acc[la] != ext_of(acc, la)) ok = 0;
        }
        if (!ok) bound = INFINITY;
        uint64_t *slot = values + u->offset;
        int changed = !ws->valid || memcmp(slot, acc, sizeof(uint64_t) * (size_t)la) != 0 || ws->bound[j] != bound;
        memcpy(slot, acc, sizeof(uint64_t) * (size_t)la);
        ws->bound[j] = bound;
        ws->flags[j] = (uint8_t)((mpn_zero_p(slot, la) ? ZERO : 0) | (changed ? CHANGED : 0));
        ws->approx[j] = v;
        if (changed) mark_consumers(net, ws->dirty, j);
    }
    int32_t start = 0;
    for (int64_t ui = net->inputs; ui < net->unit_count; ui++) {
        const cfx_unit *u = &units[ui];
        int32_t end = u->term_end;
        if (ws->valid && !ws->dirty[ui]) { ws->flags[ui] &= (uint8_t)~CHANGED; start = end; continue; }
        ws->dirty[ui] = 0;
        computed++;
        int32_t la = u->limbs + 1;
        uint64_t *acc = ws->acc;
        if (u->bias_offset >= 0) copy_limbs(acc, net->limb_pool + u->bias_offset, la);
        else zero_limbs(acc, la);
        double propagated = 0;
        int any_linear = 0;
        double inexact = u->bias_inexact;   // units in the last place discarded
        for (int32_t t = start; t < end; t++) {
            const cfx_term *term = &terms[t];
            int32_t j = term->column;
            double ej = ws->bound[j];
            uint8_t fj = ws->flags[j];
            if (ej != 0) { propagated += fabs(term->w) * ej; any_linear |= fj & LINEAR; }
            if (fj & ZERO) continue;
            const uint64_t *xj = values + net->offsets[j];
            int32_t nj = net->unit_limbs[j];
            if (!(term->kind & 1)) {
                int32_t sh = term->shift;
                if (sh == 0) add_mul_small(acc, la, xj, nj, term->m);
                else if ((sh & 63) == 0 && sh > 0) {
                    int32_t q = sh >> 6;   // whole limbs to the left
                    if (q < la) add_mul_small(acc + q, la - q, xj, nj, term->m);
                } else if ((sh & 63) == 0 && (-sh >> 6) < nj) {
                    // Whole limbs to the right: m floor(x / 2^(64 q)) is within |m| units of m x / 2^(64 q).
                    int32_t q = -sh >> 6;
                    for (int32_t i = 0; i < q; i++) if (xj[i]) { inexact += term->m < 0 ? -(double)term->m : (double)term->m; break; }
                    add_mul_small(acc, la, xj + q, nj - q, term->m);
                } else {
                    // p = m x_j exactly in nj + 1 limbs, then shifted in.
                    uint64_t *p = ws->tmp2;
                    uint64_t am = term->m < 0 ? (uint64_t)(-term->m) : (uint64_t)term->m;
                    memcpy(p, xj, sizeof(uint64_t) * (size_t)nj);
                    p[nj] = ext_of(xj, nj);
                    mpn_mul_1(p, p, nj + 1, am);
                    if (term->m < 0) mpn_neg(p, p, nj + 1);
                    inexact += add_shifted(acc, la, p, nj + 1, term->shift, ws->tmp);
                }
            } else {
                // |x_j| M exactly, signed, then shifted in.
                const uint64_t *mag = xj;
                int neg = (int64_t)xj[nj - 1] < 0;
                if (neg) { mpn_neg(ws->tmp2, xj, nj); mag = ws->tmp2; }
                int32_t nm = nj;
                while (nm > 1 && mag[nm - 1] == 0) nm--;
                const uint64_t *w = net->limb_pool + term->m;
                int32_t nw = term->long_limbs;
                uint64_t *p = ws->prod;
                if (nm >= nw) mpn_mul(p, mag, nm, w, nw); else mpn_mul(p, w, nw, mag, nm);
                int32_t np = nm + nw;
                p[np] = 0;
                if (neg != ((term->kind & 4) != 0)) mpn_neg(p, p, np + 1);
                inexact += add_shifted(acc, la, p, np + 1, term->shift, ws->tmp);
            }
        }
        double own = inexact != 0 ? inexact * unit_epsilon(u->frac) * (1 + 0x1p-50) : 0;
        // (|w| as a double is within a relative 2^-53 of the weight: covered by the 2^-40.)
        double bound = propagated * (1 + 0x1p-40) + own;
        int overflow = acc[la - 1] != ext_of(acc, la - 1);   // the sum left the unit's range
        if (!overflow && bound > 0 && any_linear && u->expand) bound = fmin(bound, expanded_bound(net, ws, start, end) * (1 + 0x1p-40) + own);
        if (overflow) bound = INFINITY;
        int linear = 0;
        double approx = approx_value(acc, la - 1, u->frac);
        int negative = (int64_t)acc[la - 2] < 0;
        int is_zero = !negative && mpn_zero_p(acc, la - 1);
        if (u->activation == 0) {
            // A large linear bound (a chain's values after a cut-off, say): try the interval.
            if (!(bound <= 0x1p-30 * (1 + fabs(approx)))) {
                double lo, hi;
                enclosure(net, ws, u, start, end, &lo, &hi);
                bound = fmin(bound, radius(approx, lo, hi));
            }
        } else if (u->activation == 1) {
            double margin = fabs(approx) * (1 - 0x1p-50);
            int off = 0, on = 0;   // the exact pre-activation is certainly <= 0 / >= 0
            if (bound == 0) { if (negative || is_zero) off = 1; else on = 1; }
            else if (isfinite(bound) && margin >= bound) { if (negative) off = 1; else on = 1; }
            double lo = -INFINITY, hi = INFINITY;
            if (!off && !on) {
                enclosure(net, ws, u, start, end, &lo, &hi);
                if (hi <= 0) off = 1;
                else if (lo >= 0 && !negative) on = 1;
            }
            if (off) { zero_limbs(acc, la); bound = 0; approx = 0; is_zero = 1; }
            else if (!on) {
                if (negative) { zero_limbs(acc, la); approx = 0; is_zero = 1; }
                // The exact output lies in [max(0, lo), max(0, hi)].
                bound = fmin(bound, radius(approx, fmax(lo, 0), fmax(hi, 0)));
            }
            linear = on && isfinite(bound);
        } else {
            double margin = fabs(approx) * (1 - 0x1p-50);
            int decided = bound == 0 ? 1 : (isfinite(bound) && margin > bound);
            int off = decided && negative;
            if (!decided) {
                double lo, hi;
                enclosure(net, ws, u, start, end, &lo, &hi);
                if (hi < 0) { off = 1; decided = 1; }
                else if (lo >= 0) { decided = 1; negative = 0; }
            }
            int one = off ? 0 : !negative;
            zero_limbs(acc, la);
            int32_t f = u->frac;
            if (one && f >= 0 && f / 64 < la - 1) acc[f / 64] = UINT64_C(1) << (f % 64);   // 1 = 2^frac
            approx = one;
            is_zero = !one;
            bound = decided ? 0 : 1;
        }
        uint64_t *slot = values + u->offset;
        int32_t n = u->limbs;
        int changed = !ws->valid || ws->bound[ui] != bound || !equal_limbs(slot, acc, n);
        if (changed) copy_limbs(slot, acc, n);
        ws->flags[ui] = (uint8_t)((changed ? CHANGED : 0) | (is_zero ? ZERO : 0) | (linear ? LINEAR : 0));
        if (changed && ws->valid) mark_consumers(net, ws->dirty, ui);
        ws->bound[ui] = bound;
        ws->approx[ui] = approx;
        ws->own[ui] = own;
        start = end;
    }
    ws->valid = 1;
    return computed;
}

const uint64_t *cfx_output(const cfx_network *net, const cfx_workspace *ws, int32_t *limbs, int32_t *frac, double *bound) {
    int64_t u = net->unit_count - 1;
    *limbs = net->units[u].limbs;
    *frac = net->units[u].frac;
    *bound = ws->bound[u];
    return ws->values + net->units[u].offset;
}

double cfx_unit_bound(const cfx_workspace *ws, int64_t u) { return ws->bound[u]; }
double cfx_unit_value(const cfx_workspace *ws, int64_t u) { return ws->approx[u]; }

#include <mpfr.h>

int32_t cfx_dyadic(const void *mpfr, uint64_t *limbs, int32_t capacity, int64_t *exponent, int32_t *negative) {
    mpfr_srcptr x = (mpfr_srcptr)mpfr;
    *negative = mpfr_signbit(x) ? 1 : 0;
    *exponent = 0;
    if (mpfr_zero_p(x)) return 0;
    int32_t n = (int32_t)((mpfr_get_prec(x) + 63) / 64);
    const mp_limb_t *d = x->_mpfr_d;
    // x = D 2^(exp - 64 n), D the n limbs.
    int32_t low = 0;
    while (low < n && d[low] == 0) low++;
    int shift = __builtin_ctzll(d[low]);
    int32_t count = n - low;
    if (count > capacity) return -1;
    if (shift) mpn_rshift(limbs, d + low, count, (unsigned)shift);
    else memcpy(limbs, d + low, sizeof(uint64_t) * (size_t)count);
    while (count > 1 && limbs[count - 1] == 0) count--;
    *exponent = (int64_t)mpfr_get_exp(x) - 64 * (int64_t)n + 64 * (int64_t)low + shift;
    return count;
}

int32_t cfx_scaled(const uint64_t *magnitude, int32_t m_limbs, int32_t negative, int64_t shift, uint64_t *out, int32_t n) {
    memset(out, 0, sizeof(uint64_t) * (size_t)n);
    if (m_limbs == 0) return 0;
    uint64_t *p = calloc((size_t)m_limbs + 1, sizeof(uint64_t));
    uint64_t *t = calloc((size_t)n, sizeof(uint64_t));
    memcpy(p, magnitude, sizeof(uint64_t) * (size_t)m_limbs);
    if (negative) mpn_neg(p, p, m_limbs + 1);
    int32_t inexact = add_shifted(out, n, p, m_limbs + 1, shift, t);
    free(p); free(t);
    return inexact;
}

void cfx_to_mpfr(void *mpfr, const uint64_t *x, int32_t n, int32_t frac) {
    mpfr_ptr r = (mpfr_ptr)mpfr;
    int neg = (int64_t)x[n - 1] < 0;
    uint64_t stack[64], *m = n <= 64 ? stack : malloc(sizeof(uint64_t) * (size_t)n);
    if (neg) mpn_neg(m, x, n); else memcpy(m, x, sizeof(uint64_t) * (size_t)n);
    mpz_t z;
    mpz_roinit_n(z, m, neg ? -(mp_size_t)n : (mp_size_t)n);
    mpfr_set_z_2exp(r, z, -(mpfr_exp_t)frac, MPFR_RNDN);
    if (m != stack) free(m);
}
