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
//
// Bounds are float64, but a unit of F > CFX_BOUND_RESOLUTION fractional bits keeps its bound and
// rounding scaled by 2^s, s = F - CFX_BOUND_RESOLUTION (bound_scale): its rounding 2^-F is then
// 2^-960 in the record, not below float64's range. A unit that reads such a unit (`wide`)
// rescales each input's bound by 2^(s_u - s_j), rounding up; values (approx) stay unscaled.
#include "cfixedpoint.h"
#include <gmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define EXPANSION_LIMIT 64

// Flags of a unit's last evaluation.
enum { ZERO = 2, LINEAR = 4 };

// A unit's record in the state array: this header (4 limbs), then its value's limbs. Keeping a
// unit's value and what the certificate needs of it in one place makes reading an input one or
// two cache lines, not one per array (the 2-D deep network's state is several MB).
typedef struct {
    double bound;    // E_u
    double approx;   // the value as a double (relative 2^-60)
    double own;      // the rounding of the unit's own sum (units in the last place times 2^-frac)
    int32_t unit;    // the unit's index (for its terms, when a reader expands through it)
    int16_t limbs;   // limbs of the value
    uint8_t flags;   // ZERO (all limbs 0), LINEAR (a ReLU certainly on: exactly its pre-activation)
    uint8_t nonneg;  // a ReLU or step unit (never negative)
} record_header;
_Static_assert(sizeof(record_header) == 32, "a record header is 4 limbs");
#define HEADER(state, rec) ((record_header *)((state) + (rec)))
#define VALUE(state, rec) ((state) + (rec) + 4)

struct cfx_workspace {
    uint64_t *state;     // all units' records
    uint64_t *dirty;     // bit u: an input of unit u changed since u was last computed
    int64_t dirty_words;
    int32_t *keys;       // expansion scratch: input records and their coefficients
    double *coefficients;
    double *magnitudes;  // the sums of |products| behind each coefficient
    uint8_t *exact;      // each coefficient is exactly its float64 value
    uint64_t *acc, *tmp, *prod;
    int valid;
};

static inline void copy_limbs(uint64_t *d, const uint64_t *s, int32_t n) { for (int32_t i = 0; i < n; i++) d[i] = s[i]; }
static inline void zero_limbs(uint64_t *d, int32_t n) { for (int32_t i = 0; i < n; i++) d[i] = 0; }
static inline int equal_limbs(const uint64_t *a, const uint64_t *b, int32_t n) {
    for (int32_t i = 0; i < n; i++) if (a[i] != b[i]) return 0;
    return 1;
}

static inline uint64_t ext_of(const uint64_t *x, int32_t n) { return (uint64_t)((int64_t)x[n - 1] >> 63); }

void *cfx_table_alloc(size_t bytes) {
    // Large tables in 2 MB pages where the system allows it (transparent huge pages on request):
    // a deep network's state and tables span several MB read out of order, and with 4 kB pages
    // the TLB misses cost as much as the arithmetic.
    size_t huge = (size_t)2 << 20;
    if (bytes < huge) return calloc(1, bytes ? bytes : 1);
    size_t rounded = (bytes + huge - 1) / huge * huge;
    void *p = aligned_alloc(huge, rounded);
    if (!p) return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, rounded, MADV_HUGEPAGE);
#endif
    memset(p, 0, rounded);
    return p;
}

void cfx_table_free(void *p) { free(p); }

cfx_workspace *cfx_workspace_create(const cfx_network *net) {
    cfx_workspace *ws = calloc(1, sizeof *ws);
    if (!ws) return NULL;
    int64_t u = net->unit_count;
    size_t wide = 2 * ((size_t)net->max_limbs + (size_t)net->max_long_limbs) + 4;
    ws->dirty_words = (u + 63) / 64;
    ws->state = cfx_table_alloc(sizeof(uint64_t) * (size_t)net->state_limbs);
    ws->dirty = calloc((size_t)ws->dirty_words, sizeof(uint64_t));
    ws->keys = calloc(EXPANSION_LIMIT, sizeof(int32_t));
    ws->coefficients = calloc(EXPANSION_LIMIT, sizeof(double));
    ws->magnitudes = calloc(EXPANSION_LIMIT, sizeof(double));
    ws->exact = calloc(EXPANSION_LIMIT, 1);
    ws->acc = calloc(wide, sizeof(uint64_t));
    ws->tmp = calloc(wide, sizeof(uint64_t));
    ws->prod = calloc(wide, sizeof(uint64_t));
    if (!ws->state || !ws->dirty || !ws->keys || !ws->coefficients || !ws->magnitudes || !ws->exact || !ws->acc || !ws->tmp || !ws->prod) {
        cfx_workspace_destroy(ws);
        return NULL;
    }
    for (int64_t j = 0; j < u; j++) {
        record_header *h = HEADER(ws->state, net->units[j].record);
        h->unit = (int32_t)j;
        h->limbs = (int16_t)net->units[j].limbs;
        h->nonneg = net->units[j].activation != 0;
    }
    return ws;
}

void cfx_workspace_destroy(cfx_workspace *ws) {
    if (!ws) return;
    free(ws->state); free(ws->dirty); free(ws->keys); free(ws->coefficients); free(ws->magnitudes); free(ws->exact);
    free(ws->acc); free(ws->tmp); free(ws->prod);
    free(ws);
}

void cfx_workspace_reset(cfx_workspace *ws) { ws->valid = 0; }

// acc (la limbs) += p * 2^k, p two's complement of np limbs; floor when k < 0. Returns 1 when
// bits were discarded. t: la + 2 limbs of scratch. (Inputs and biases; terms are whole limbs.)
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

// acc (la limbs) += (negative ? -m : m) * x, x two's complement of nx limbs; modulo 2^(64 la).
static inline __attribute__((always_inline)) void add_mul_small(uint64_t *acc, int32_t la, const uint64_t *x, int32_t nx, uint64_t am, int negative) {
    int32_t n = nx < la ? nx : la;
    int neg = n == nx && (int64_t)x[nx - 1] < 0;
    if (am == 1) {
        uint64_t c = !negative ? mpn_add_n(acc, acc, x, n) : mpn_sub_n(acc, acc, x, n);
        if (n < la) {
            // x's sign extension above limb n is -2^(64 n) when x < 0.
            int64_t delta = !negative ? (int64_t)c - neg : -(int64_t)c + neg;
            if (delta > 0) mpn_add_1(acc + n, acc + n, la - n, (uint64_t)delta);
            else if (delta < 0) mpn_sub_1(acc + n, acc + n, la - n, (uint64_t)(-delta));
        }
        return;
    }
    uint64_t c = !negative ? mpn_addmul_1(acc, x, n, am) : mpn_submul_1(acc, x, n, am);
    if (n < la) {
        // Unsigned x is x + 2^(64 n) when x < 0: m 2^(64 n) too many, plus the carry (borrow) c.
        if (!negative) {
            if (c) mpn_add_1(acc + n, acc + n, la - n, c);
            if (neg) mpn_sub_1(acc + n, acc + n, la - n, am);
        } else {
            if (c) mpn_sub_1(acc + n, acc + n, la - n, c);
            if (neg) mpn_add_1(acc + n, acc + n, la - n, am);
        }
    }
}

// acc (la limbs) += (negative ? -1 : 1) * floor(P 2^(64 q)), P >= 0 of np limbs (the floor is
// of the magnitude: within one unit in the last place). Returns 1 when bits were discarded.
static inline __attribute__((always_inline)) int add_magnitude(uint64_t *acc, int32_t la, const uint64_t *p, int32_t np, int32_t q, int negative) {
    int inexact = 0;
    if (q < 0) {
        int32_t s = -q;
        for (int32_t i = 0; i < s && i < np; i++) if (p[i]) { inexact = 1; break; }
        if (s >= np) return inexact;
        p += s; np -= s;
    } else {
        if (q >= la) return 0;
        acc += q; la -= q;
    }
    while (np > 0 && p[np - 1] == 0) np--;
    if (np == 0) return inexact;
    int32_t n = np < la ? np : la;
    if (!negative) {
        if (mpn_add_n(acc, acc, p, n) && n < la) mpn_add_1(acc + n, acc + n, la - n, 1);
    } else {
        if (mpn_sub_n(acc, acc, p, n) && n < la) mpn_sub_1(acc + n, acc + n, la - n, 1);
    }
    return inexact;
}

// p[cut ..< na + nb] = the limbs from `cut` up of a * b without the partial products a_i b_k
// with i + k < cut (p below `cut` is not written). The skipped part is below
// (pairs) 2^(64 (cut + 1)) < 2^(64 (cut + 2)) (fewer than 2^64 pairs): with cut two limbs under
// the unit's last place, less than one unit in the last place, and never more than the exact
// product (the result is a lower bound).
static void short_product(uint64_t *p, const uint64_t *a, int32_t na, const uint64_t *b, int32_t nb, int32_t cut) {
    if (na > nb) { const uint64_t *t = a; a = b; b = t; int32_t n = na; na = nb; nb = n; }
    for (int32_t i = cut; i < na + nb; i++) p[i] = 0;
    // Rows i <= cut - nb lie wholly below the cut.
    for (int32_t i = cut - nb + 1 > 0 ? cut - nb + 1 : 0; i < na; i++) {
        int32_t k0 = cut > i ? cut - i : 0;
        if (a[i] == 0) continue;
        p[i + nb] = mpn_addmul_1(p + i + k0, b + k0, nb - k0, a[i]);
    }
}

// Whether the short product skips at least half of the na nb partial products (rows of
// mpn_addmul_1 are slower per limb than mpn_mul's basecase; below that it does not pay).
static inline int short_pays(int32_t na, int32_t nb, int32_t cut) {
    if (na > nb) { int32_t n = na; na = nb; nb = n; }
    // Rows i < cut - nb skip all nb; rows up to min(na, cut) - 1 skip cut - i.
    int64_t full = cut - nb > 0 ? (cut - nb < na ? cut - nb : na) : 0;
    int64_t end = cut < na ? cut : na;
    int64_t skipped = full * nb + (end - full) * (2 * (int64_t)cut - full - end + 1) / 2;
    return 2 * skipped >= (int64_t)na * nb;
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

static inline void mark_consumers(const cfx_network *net, uint64_t *dirty, int64_t j) {
    int32_t first = j == 0 ? 0 : net->consumer_end[j - 1];
    for (int32_t c = first; c < net->consumer_end[j]; c++) {
        int32_t k = net->consumers[c];
        dirty[k >> 6] |= UINT64_C(1) << (k & 63);
    }
}

static inline double unit_epsilon(int32_t frac) { return pow2i(frac > 1000 ? -1000 : -frac); }

// b 2^k rounded up, b >= 0 (+inf when it overflows; never 0 when b > 0).
static inline double rescaled(double b, int32_t k) {
    if (k == 0 || b == 0 || !isfinite(b)) return b;
    double r = ldexp(b, k);
    return r < 0x1p-1022 ? 0x1p-1022 : r;
}

static inline int32_t scale_of(const cfx_network *net, const record_header *h) { return net->units[h->unit].bound_scale; }

// An interval [*lo, *hi] holding the exact pre-activation of unit u, from its inputs' values
// and bounds, using that ReLU and step outputs are never negative (a negative weight on one of
// them adds at most w max(0, v - E), finite even when E is +inf). Widened by a relative 2^-45
// of the terms' magnitudes (the float64 rounding of weights, values and sums).
static void enclosure(const cfx_network *net, const uint64_t *state, const cfx_unit *u, double *lo_out, double *hi_out) {
    double lo = u->bias_double, hi = u->bias_double;
    double slop_lo = fabs(u->bias_double), slop_hi = slop_lo;
    for (int32_t t = u->term_start; t < u->term_end; t++) {
        const cfx_term *term = &net->terms[t];
        const record_header *hj = HEADER(state, term->record);
        double v = hj->approx, e = hj->bound;
        if (u->wide) e = rescaled(e, -scale_of(net, hj));
        double a = v - e, b = v + e;
        if (hj->nonneg && !(a >= 0)) a = 0;
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

static double expanded_bound(const cfx_network *net, cfx_workspace *ws, const cfx_unit *u) {
    const uint64_t *state = ws->state;
    int32_t n = 0;
    double rest = 0;
    for (int32_t t = u->term_start; t < u->term_end; t++) {
        const cfx_term *term = &net->terms[t];
        const record_header *hj = HEADER(state, term->record);
        if (hj->bound == 0) continue;
        if ((hj->flags & LINEAR)) {
            rest += fabs(term->w) * (u->wide ? rescaled(hj->own, u->bound_scale - scale_of(net, hj)) : hj->own);
            const cfx_unit *uj = &net->units[hj->unit];
            for (int32_t s2 = uj->term_start; s2 < uj->term_end; s2++) {
                const cfx_term *inner = &net->terms[s2];
                if (HEADER(state, inner->record)->bound == 0) continue;
                double c = term->w * inner->w;
                int exact = (term->kind & 2) && (inner->kind & 2) && fma(term->w, inner->w, -c) == 0;
                int32_t i = coefficient_slot(ws, &n, inner->record);
                if (i < 0) return INFINITY;
                accumulate(ws, i, c, exact);
            }
        } else {
            int32_t i = coefficient_slot(ws, &n, term->record);
            if (i < 0) return INFINITY;
            accumulate(ws, i, term->w, (term->kind & 2) != 0);
        }
    }
    double sum = rest;
    for (int32_t i = 0; i < n; i++) {
        // Float64 weights, products and sums are within 2^-45 of the magnitudes behind each
        // coefficient, and exact when every one of them was (small integer weights).
        double slack = ws->exact[i] ? 0 : ws->magnitudes[i] * 0x1p-45;
        const record_header *hk = HEADER(state, ws->keys[i]);
        double ek = u->wide ? rescaled(hk->bound, u->bound_scale - scale_of(net, hk)) : hk->bound;
        sum += (fabs(ws->coefficients[i]) + slack) * ek;
    }
    return sum;
}

// The bound of a value v whose exact counterpart lies in [lo, hi] (+inf when unbounded).
static inline double radius(double v, double lo, double hi) {
    double r = fmax(v - lo, hi - v);
    return isnan(r) ? INFINITY : r * (1 + 0x1p-45) + fabs(v) * 0x1p-50 + 0x1p-1000;
}

// Stores a unit's new value (acc, its limbs), bound, flags and rounding in its record; marks its
// readers when any of them changed.
static inline void store(const cfx_network *net, cfx_workspace *ws, int64_t ui, const cfx_unit *u, const uint64_t *acc,
                         double bound, double approx, double own, uint8_t flags) {
    record_header *h = HEADER(ws->state, u->record);
    uint64_t *slot = VALUE(ws->state, u->record);
    int32_t n = u->limbs;
    int changed = !ws->valid || h->bound != bound || h->flags != flags || h->own != own || !equal_limbs(slot, acc, n);
    if (changed) {
        copy_limbs(slot, acc, n);
        if (ws->valid) mark_consumers(net, ws->dirty, ui);
    }
    h->bound = bound; h->approx = approx; h->own = own; h->flags = flags;
}

static void compute_unit(const cfx_network *net, cfx_workspace *ws, int64_t ui) {
    const cfx_unit *u = &net->units[ui];
    const cfx_term *terms = net->terms;
    uint64_t *state = ws->state;
    int32_t la = u->limbs + 1;
    uint64_t *acc = ws->acc;
    if (u->bias_offset >= 0) copy_limbs(acc, net->limb_pool + u->bias_offset, la);
    else zero_limbs(acc, la);
    double propagated = 0;
    int any_linear = 0;
    const int wide = u->wide;
    const int32_t su = u->bound_scale;
    double inexact = u->bias_inexact;   // units in the last place discarded
    // The inputs' records are scattered: ask for all of them before reading the first.
    for (int32_t t = u->term_start; t < u->term_end; t++) __builtin_prefetch(state + terms[t].record);
    for (int32_t t = u->term_start; t < u->term_end; t++) {
        const cfx_term *term = &terms[t];
        const record_header *hj = HEADER(state, term->record);
        double ej = hj->bound;
        uint8_t fj = hj->flags;
        if (ej != 0) {
            if (wide) ej = rescaled(ej, su - scale_of(net, hj));
            propagated += fabs(term->w) * ej;
            any_linear |= fj & LINEAR;
        }
        if (fj & ZERO) continue;
        const uint64_t *xj = VALUE(state, term->record);
        int32_t nj = hj->limbs;
        int32_t q = term->shift;
        int negative = (term->kind & 4) != 0;
        if (!(term->kind & 1) && q >= 0) {
            if (q < la) add_mul_small(acc + q, la - q, xj, nj, term->m, negative);
            continue;
        }
        // |x_j| M exactly, then added or subtracted at limb q (floored when q < 0).
        const uint64_t *mag = xj;
        if ((int64_t)xj[nj - 1] < 0) { mpn_neg(ws->tmp, xj, nj); mag = ws->tmp; negative = !negative; }
        int32_t nm = nj;
        while (nm > 1 && mag[nm - 1] == 0) nm--;
        uint64_t *p = ws->prod;
        int32_t np;
        if (!(term->kind & 1)) {
            p[nm] = mpn_mul_1(p, mag, nm, term->m);
            np = nm + 1;
        } else {
            const uint64_t *w = net->limb_pool + term->m;
            int32_t nw = term->long_limbs;
            np = nm + nw;
            int32_t cut = -q - 2;
            if (cut >= 4 && short_pays(nm, nw, cut)) {
                // Only the product's limbs the unit keeps, and two below (as MPFR's short products).
                short_product(p, mag, nm, w, nw, cut);
                inexact += 1 + add_magnitude(acc, la, p + cut, np - cut, q + cut, negative);
                continue;
            }
            if (nm >= nw) mpn_mul(p, mag, nm, w, nw); else mpn_mul(p, w, nw, mag, nm);
        }
        inexact += add_magnitude(acc, la, p, np, q, negative);
    }
    double own = inexact != 0 ? inexact * unit_epsilon(u->frac - su) * (1 + 0x1p-50) : 0;
    // (|w| as a double is within a relative 2^-53 of the weight: covered by the 2^-40.)
    double bound = propagated * (1 + 0x1p-40) + own;
    int overflow = acc[la - 1] != ext_of(acc, la - 1);   // the sum left the unit's range
    if (!overflow && bound > 0 && any_linear && u->expand) bound = fmin(bound, expanded_bound(net, ws, u) * (1 + 0x1p-40) + own);
    if (overflow) bound = INFINITY;
    int linear = 0;
    // The value times 2^su (in range where the bound is) and the value itself.
    double scaled = approx_value(acc, la - 1, u->frac - su);
    double approx = su ? ldexp(scaled, -su) : scaled;
    int negative = (int64_t)acc[la - 2] < 0;
    int is_zero = !negative && mpn_zero_p(acc, la - 1);
    if (u->activation == 0) {
        // A large linear bound (a chain's values after a cut-off, say): try the interval.
        if (!(bound <= rescaled(0x1p-30 * (1 + fabs(approx)), su))) {
            double lo, hi;
            enclosure(net, state, u, &lo, &hi);
            bound = fmin(bound, rescaled(radius(approx, lo, hi), su));
        }
    } else if (u->activation == 1) {
        double margin = fabs(scaled) * (1 - 0x1p-50);
        int off = 0, on = 0;   // the exact pre-activation is certainly <= 0 / >= 0
        if (bound == 0) { if (negative || is_zero) off = 1; else on = 1; }
        else if (isfinite(bound) && margin >= bound) { if (negative) off = 1; else on = 1; }
        double lo = -INFINITY, hi = INFINITY;
        if (!off && !on) {
            enclosure(net, state, u, &lo, &hi);
            if (hi <= 0) off = 1;
            else if (lo >= 0 && !negative) on = 1;
        }
        if (off) { zero_limbs(acc, la); bound = 0; approx = 0; is_zero = 1; }
        else if (!on) {
            if (negative) { zero_limbs(acc, la); approx = 0; is_zero = 1; }
            // The exact output lies in [max(0, lo), max(0, hi)].
            bound = fmin(bound, rescaled(radius(approx, fmax(lo, 0), fmax(hi, 0)), su));
        }
        linear = on && isfinite(bound);
    } else {
        double margin = fabs(scaled) * (1 - 0x1p-50);
        int decided = bound == 0 ? 1 : (isfinite(bound) && margin > bound);
        int off = decided && negative;
        if (!decided) {
            double lo, hi;
            enclosure(net, state, u, &lo, &hi);
            if (hi < 0) { off = 1; decided = 1; }
            else if (lo >= 0) { decided = 1; negative = 0; }
        }
        int one = off ? 0 : !negative;
        zero_limbs(acc, la);
        int32_t f = u->frac;
        if (one && f >= 0 && f / 64 < la - 1) acc[f / 64] = UINT64_C(1) << (f % 64);   // 1 = 2^frac
        approx = one;
        is_zero = !one;
        bound = decided ? 0 : rescaled(1, su);
    }
    store(net, ws, ui, u, acc, bound, approx, own, (uint8_t)((is_zero ? ZERO : 0) | (linear ? LINEAR : 0)));
}

int64_t cfx_evaluate(const cfx_network *net, cfx_workspace *ws, const double *x) {
    const cfx_unit *units = net->units;
    uint64_t *dirty = ws->dirty;
    int64_t computed = 0;
    if (!ws->valid) {
        // Every unit after the inputs.
        for (int64_t w = 0; w < ws->dirty_words; w++) dirty[w] = ~UINT64_C(0);
        dirty[ws->dirty_words - 1] = net->unit_count % 64 ? (UINT64_C(1) << (net->unit_count % 64)) - 1 : ~UINT64_C(0);
        for (int64_t j = 0; j < net->inputs; j++) dirty[j >> 6] &= ~(UINT64_C(1) << (j & 63));
    }
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
        store(net, ws, j, u, acc, bound, v, 0, mpn_zero_p(acc, la) ? ZERO : 0);
    }
    // The units whose inputs changed, in order (readers come after what they read).
    for (int64_t w = net->inputs >> 6; w < ws->dirty_words; w++) {
        uint64_t bits;
        while ((bits = dirty[w]) != 0) {
            uint64_t rest = bits & (bits - 1);
            dirty[w] = rest;
            if (rest) {
                // The next unit's description, terms and record, while this one is computed.
                const cfx_unit *next = &units[64 * w + __builtin_ctzll(rest)];
                __builtin_prefetch(next);
                __builtin_prefetch(ws->state + next->record);
                __builtin_prefetch(net->terms + next->term_start);
            }
            compute_unit(net, ws, 64 * w + __builtin_ctzll(bits));
            computed++;
        }
    }
    ws->valid = 1;
    return computed;
}

const uint64_t *cfx_output(const cfx_network *net, const cfx_workspace *ws, int32_t *limbs, int32_t *frac, double *bound) {
    const cfx_unit *u = &net->units[net->unit_count - 1];
    *limbs = u->limbs;
    *frac = u->frac;
    *bound = rescaled(HEADER(ws->state, u->record)->bound, -u->bound_scale);
    return VALUE(ws->state, u->record);
}

double cfx_unit_bound(const cfx_network *net, const cfx_workspace *ws, int64_t u, int32_t *exponent) {
    *exponent = -net->units[u].bound_scale;
    return HEADER(ws->state, net->units[u].record)->bound;
}
double cfx_unit_value(const cfx_network *net, const cfx_workspace *ws, int64_t u) { return HEADER(ws->state, net->units[u].record)->approx; }

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
