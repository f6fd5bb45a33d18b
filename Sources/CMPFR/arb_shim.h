/* ApproxRates' view of Arb (ball arithmetic; Debian: libflint-arb-dev, headers in /usr/include,
 * libraries libflint-arb and libflint, no pkg-config file). Arb's inline helpers and macros
 * that Swift cannot call are wrapped below under the prefix carb_. */
#ifndef APPROXRATES_CMPFR_ARB_H
#define APPROXRATES_CMPFR_ARB_H
#include <arb.h>

static inline void carb_init(arb_ptr x) { arb_init(x); }
static inline void carb_clear(arb_ptr x) { arb_clear(x); }
static inline void carb_set(arb_ptr y, arb_srcptr x) { arb_set(y, x); }
static inline void carb_zero(arb_ptr x) { arb_zero(x); }
static inline void carb_swap(arb_ptr x, arb_ptr y) { arb_swap(x, y); }
static inline void carb_one(arb_ptr x) { arb_one(x); }
static inline void carb_indeterminate(arb_ptr x) { arb_indeterminate(x); }
static inline int carb_is_exact(arb_srcptr x) { return arb_is_exact(x); }
static inline int carb_is_finite(arb_srcptr x) { return arb_is_finite(x); }
/* x := the exact value of the MPFR number v (radius 0). */
static inline void carb_set_mpfr(arb_ptr x, mpfr_srcptr v) { arf_set_mpfr(arb_midref(x), v); mag_zero(arb_radref(x)); }
/* x := the exact double v. */
static inline void carb_set_d(arb_ptr x, double v) { arb_set_d(x, v); }
static inline void carb_set_si(arb_ptr x, long v) { arb_set_si(x, v); }
/* An upper bound of the ball, rounded up to r's precision (+inf if the ball is not finite). */
static inline void carb_upper_mpfr(mpfr_ptr r, arb_srcptr x) {
    arf_t u; arf_init(u); arb_get_ubound_arf(u, x, mpfr_get_prec(r));
    if (arf_is_finite(u)) arf_get_mpfr(r, u, MPFR_RNDU); else mpfr_set_inf(r, 1);
    arf_clear(u);
}
/* A lower bound of the ball, rounded down to r's precision (-inf if the ball is not finite). */
static inline void carb_lower_mpfr(mpfr_ptr r, arb_srcptr x) {
    arf_t u; arf_init(u); arb_get_lbound_arf(u, x, mpfr_get_prec(r));
    if (arf_is_finite(u)) arf_get_mpfr(r, u, MPFR_RNDD); else mpfr_set_inf(r, -1);
    arf_clear(u);
}
/* The midpoint, rounded to nearest at r's precision. */
static inline void carb_mid_mpfr(mpfr_ptr r, arb_srcptr x) { arf_get_mpfr(r, arb_midref(x), MPFR_RNDN); }
/* The midpoint as a double. */
static inline double carb_mid_d(arb_srcptr x) { return arf_get_d(arb_midref(x), ARF_RND_NEAR); }
/* An upper bound of |x| as a double, rounded up (inf if not finite). */
static inline double carb_abs_upper_d(arb_srcptr x) {
    mag_t m; mag_init(m); arb_get_mag(m, x); double d = mag_get_d(m); mag_clear(m); return d;
}
/* x := [0, upper bound of |x|]: the range of |t| over the ball when it contains 0. */
static inline void carb_abs_range(arb_ptr y, arb_srcptr x, slong prec) {
    arf_t u; arf_init(u); arb_get_abs_ubound_arf(u, x, prec);
    arf_t z; arf_init(z);
    arb_set_interval_arf(y, z, u, prec);
    arf_clear(u); arf_clear(z);
}
/* y := the hull [min(lower x, lower y), max(upper x, upper y)]. */
static inline void carb_union(arb_ptr z, arb_srcptr x, arb_srcptr y, slong prec) { arb_union(z, x, y, prec); }
/* y := [lo, hi] from two MPFR numbers (outward). */
static inline void carb_set_interval_mpfr(arb_ptr x, mpfr_srcptr a, mpfr_srcptr b, slong prec) { arb_set_interval_mpfr(x, a, b, prec); }
/* y := [lower(x), upper(x)] with lower clipped below at 0 (a nonnegative quantity's enclosure). */
static inline void carb_clip_nonnegative(arb_ptr y, arb_srcptr x, slong prec) {
    arf_t lo, hi; arf_init(lo); arf_init(hi);
    arb_get_lbound_arf(lo, x, prec); arb_get_ubound_arf(hi, x, prec);
    if (arf_sgn(lo) < 0) arf_zero(lo);
    if (arf_sgn(hi) < 0) arf_zero(hi);
    arb_set_interval_arf(y, lo, hi, prec);
    arf_clear(lo); arf_clear(hi);
}
/* The ball [-m, m] where m bounds |x|. */
static inline void carb_symmetric(arb_ptr y, arb_srcptr x) {
    mag_t m; mag_init(m); arb_get_mag(m, x); arf_zero(arb_midref(y)); mag_swap(arb_radref(y), m); mag_clear(m);
}
/* x := its midpoint rounded to bits (nearest), exactly (radius 0). */
static inline void carb_round_mid(arb_ptr x, slong bits) { arf_set_round(arb_midref(x), arb_midref(x), bits, ARF_RND_NEAR); mag_zero(arb_radref(x)); }
/* x := its midpoint, exactly (radius 0). */
static inline void carb_mid_exact(arb_ptr x) { mag_zero(arb_radref(x)); }
/* x := 0 ± (its radius). */
static inline void carb_mid_zero(arb_ptr x) { arf_zero(arb_midref(x)); }
/* x := mid ± 1. */
static inline void carb_rad_one(arb_ptr x) { mag_one(arb_radref(x)); }
/* x := x + (0 +/- e) where e is an upper bound of the exact, nonnegative ball half. */
static inline void carb_add_radius(arb_ptr x, arb_srcptr half) {
    mag_t m; mag_init(m); arb_get_mag(m, half); mag_add(arb_radref(x), arb_radref(x), m); mag_clear(m);
}
/* A lower bound of |x| as a double, rounded down (0 when the ball contains 0). */
static inline double carb_abs_lower_d(arb_srcptr x) {
    mag_t m; mag_init(m); arb_get_mag_lower(m, x);
    arf_t a; arf_init(a); arf_set_mag(a, m); double d = arf_get_d(a, ARF_RND_FLOOR); arf_clear(a); mag_clear(m); return d;
}
/* The exact ends of the range of c + s*x + r over x in [a, b] (a, b exact MPFR numbers): lo and
 * hi become exact point balls with lo <= every value <= hi. Each end is computed at its own
 * point, so the range keeps prec bits relative to the values (a ball mid +/- rad for the whole
 * interval would round rad to 30 bits, i.e. 2^-30 of the width). Uses scratch[0..1]. */
static inline void carb_affine_ends(arb_ptr lo, arb_ptr hi, arb_srcptr c, arb_srcptr s, arb_srcptr r,
                                    mpfr_srcptr a, mpfr_srcptr b, slong prec, arb_ptr scratch) {
    arb_ptr ta = scratch, tb = scratch + 1;
    arf_t l, u, v; arf_init(l); arf_init(u); arf_init(v);
    arb_set_interval_mpfr(ta, a, a, prec); arb_mul(ta, ta, s, prec); arb_add(ta, ta, c, prec); arb_add(ta, ta, r, prec);
    arb_set_interval_mpfr(tb, b, b, prec); arb_mul(tb, tb, s, prec); arb_add(tb, tb, c, prec); arb_add(tb, tb, r, prec);
    arb_get_lbound_arf(l, ta, prec); arb_get_lbound_arf(v, tb, prec); if (arf_cmp(v, l) < 0) arf_set(l, v);
    arb_get_ubound_arf(u, ta, prec); arb_get_ubound_arf(v, tb, prec); if (arf_cmp(v, u) > 0) arf_set(u, v);
    arb_set_arf(lo, l); arb_set_arf(hi, u);
    arf_clear(l); arf_clear(u); arf_clear(v);
}
/* y := the exact point ball of a lower bound of x (-inf ball when x is not finite); y may be x.
 * Written straight into y's midpoint: no temporary. */
static inline void carb_lower_ball(arb_ptr y, arb_srcptr x, slong prec) { arb_get_lbound_arf(arb_midref(y), x, prec); mag_zero(arb_radref(y)); }
/* y := the exact point ball of an upper bound of x (+inf ball when x is not finite); y may be x. */
static inline void carb_upper_ball(arb_ptr y, arb_srcptr x, slong prec) { arb_get_ubound_arf(arb_midref(y), x, prec); mag_zero(arb_radref(y)); }
/* Tightens a unit's range with the exact ends of its form's range over a box: with the box's
 * offsets x_k - c_k in [olo[k], ohi[k]] (exact point balls), every value of C + sum_k S_k x_k + R
 * lies in [L, U], L and U computed end by end at prec bits with outward rounding (a ball
 * mid +/- rad for the whole box would round rad to 30 bits, 2^-30 of the form's swing, which a
 * deep chain amplifies to order 1). Then lo := max(lower(lo), L), hi := min(upper(hi), U), exact
 * point balls. Uses scratch[0..5]. */
static inline void carb_form_ends(arb_ptr lo, arb_ptr hi, arb_srcptr C, arb_srcptr S, arb_srcptr R,
                                  arb_srcptr olo, arb_srcptr ohi, slong d, slong prec, arb_ptr scratch) {
    /* Temporaries in the caller's scratch balls (no allocation per call once grown). */
    arb_ptr x = scratch, y = scratch + 1;
    arf_ptr L = arb_midref(scratch + 2), U = arb_midref(scratch + 3), a = arb_midref(scratch + 4), b = arb_midref(scratch + 5);
    arb_add(x, C, R, prec);
    arb_get_lbound_arf(L, x, prec); arb_get_ubound_arf(U, x, prec);
    for (slong k = 0; k < d; k++) {
        arb_mul(x, S + k, olo + k, prec); arb_mul(y, S + k, ohi + k, prec);
        arb_get_lbound_arf(a, x, prec); arb_get_lbound_arf(b, y, prec); if (arf_cmp(b, a) < 0) arf_set(a, b);
        arf_add(L, L, a, prec, ARF_RND_FLOOR);
        arb_get_ubound_arf(a, x, prec); arb_get_ubound_arf(b, y, prec); if (arf_cmp(b, a) > 0) arf_set(a, b);
        arf_add(U, U, a, prec, ARF_RND_CEIL);
    }
    if (arf_is_finite(L) && arf_is_finite(U)) {
        arb_get_lbound_arf(a, lo, prec); if (!arf_is_finite(a) || arf_cmp(L, a) > 0) arf_set(a, L);
        arb_get_ubound_arf(b, hi, prec); if (!arf_is_finite(b) || arf_cmp(U, b) < 0) arf_set(b, U);
        arb_set_arf(lo, a); arb_set_arf(hi, b);
    }
}
/* A unit's range [lo, hi] (exact point balls: lo and hi hold the interval sums of its inputs'
 * lower and upper ends, as balls) tightened with the bounds of its affine form's range z, then
 * its activation: relu (is_relu) or identity. Returns 1 when the output is the
 * pre-activation (an identity unit, or a ReLU with z >= 0), 0 when it is 0 (z <= 0), 3 when the
 * range is not finite, and 2 when a ReLU's range straddles 0. On return lo and hi are the exact
 * ends of the unit's output range; for kind 2, with l < 0 < u the tightened ends, lam is an exact
 * number in [0, 1] (about u/(u - l), or 1 or 0 when that is tighter) and half an exact number such that relu(z) - lam*z lies in
 * [0, 2*half] for every z in [l, u] (the chord relaxation: relu(z) - lam*z is convex, 0 at 0, and
 * at most max(-lam*l, (1 - lam)*u) on [l, u]). */
static inline int carb_unit_bounds(arb_srcptr z, arb_ptr lo, arb_ptr hi, arb_ptr lam, arb_ptr half, int is_relu, slong prec,
                                   arb_ptr scratch) {
    /* Temporaries live in the caller's 8 scratch balls, whose limbs are reused: no allocation
     * per call once they have grown. */
    arf_ptr a = arb_midref(scratch), b = arb_midref(scratch + 1), l = arb_midref(scratch + 2), u = arb_midref(scratch + 3);
    arf_ptr q = arb_midref(scratch + 4), w = arb_midref(scratch + 5);
    arb_ptr x = scratch + 6, y = scratch + 7;
    int kind;
    arb_get_lbound_arf(l, lo, prec); arb_get_ubound_arf(u, hi, prec);
    if (arb_is_finite(z)) {
        arb_get_lbound_arf(a, z, prec); arb_get_ubound_arf(b, z, prec);
        if (!arf_is_finite(l) || arf_cmp(a, l) > 0) arf_set(l, a);
        if (!arf_is_finite(u) || arf_cmp(b, u) < 0) arf_set(u, b);
    }
    if (!arf_is_finite(l) || !arf_is_finite(u)) kind = 3;
    else if (!is_relu || arf_sgn(l) >= 0) kind = 1;
    else if (arf_sgn(u) <= 0) { kind = 0; arf_zero(l); arf_zero(u); }
    else {
        kind = 2;
        arf_sub(w, u, l, 30, ARF_RND_UP);
        arf_div(q, u, w, 30, ARF_RND_DOWN);
        if (arf_sgn(q) < 0) arf_zero(q);
        if (arf_cmp_si(q, 1) > 0) arf_one(q);
        arb_set_arf(x, l); arb_set_arf(lam, q); arb_mul(x, x, lam, prec); arb_neg(x, x);
        arb_set_arf(y, u); arb_sub_ui(half, lam, 1, prec); arb_neg(half, half); arb_mul(y, y, half, prec);
        arb_get_ubound_arf(a, x, prec); arb_get_ubound_arf(b, y, prec);
        if (arf_cmp(a, b) < 0) arf_set(a, b);
        /* The chord's slope is rounded to 30 bits, which leaves about 2^-30 u of slack; when one
         * end is far smaller (a unit that crosses 0 only at the edge of its interval), the
         * identity (lam = 1, slack -l) or zero (lam = 0, slack u) is tighter. */
        arf_neg(b, l);
        if (arf_cmp(b, a) < 0 && arf_cmp(b, u) <= 0) { arf_set(a, b); arb_one(lam); }
        else if (arf_cmp(u, a) < 0) { arf_set(a, u); arb_zero(lam); }
        arb_set_arf(half, a); arb_mul_2exp_si(half, half, -1);
        arf_zero(l);
    }
    if (kind != 3) { arb_set_arf(lo, l); arb_set_arf(hi, u); }
    return kind;
}
/* A ReLU^k unit (k >= 2) whose pre-activation z has the range [l, u] (from lo, hi and z as in
 * carb_unit_bounds). Returns 0 when the output is 0 (u <= 0), 3 when the range is not finite, and
 * otherwise 4 with lam an exact slope and mid, half exact numbers such that
 *     max(t, 0)^k - lam*t  lies in  [mid - half, mid + half]   for every t in [l, u].
 * h(t) = max(t, 0)^k - lam*t is convex, so its maximum on [l, u] is at an end; its minimum is at
 * least its global minimum, h(t*) with t* = (lam/k)^(1/(k-1)), enclosed on the ball of t*.
 * lam is the chord's slope rounded to 30 bits (any exact lam gives a valid enclosure). On return
 * lo and hi are the exact ends of the output range [max(l, 0)^k, u^k]. Uses scratch[0..7]. */
static inline int carb_unit_power_bounds(arb_srcptr z, arb_ptr lo, arb_ptr hi, arb_ptr lam, arb_ptr mid, arb_ptr half,
                                         ulong k, slong prec, arb_ptr scratch) {
    arf_ptr a = arb_midref(scratch), b = arb_midref(scratch + 1), l = arb_midref(scratch + 2), u = arb_midref(scratch + 3);
    arb_ptr x = scratch + 4, y = scratch + 5, t = scratch + 6, w = scratch + 7;
    arb_get_lbound_arf(l, lo, prec); arb_get_ubound_arf(u, hi, prec);
    if (arb_is_finite(z)) {
        arb_get_lbound_arf(a, z, prec); arb_get_ubound_arf(b, z, prec);
        if (!arf_is_finite(l) || arf_cmp(a, l) > 0) arf_set(l, a);
        if (!arf_is_finite(u) || arf_cmp(b, u) < 0) arf_set(u, b);
    }
    if (!arf_is_finite(l) || !arf_is_finite(u)) return 3;
    if (arf_sgn(u) <= 0) { arb_zero(lo); arb_zero(hi); return 0; }
    /* x = max(l, 0)^k, y = u^k (balls) */
    if (arf_sgn(l) > 0) { arb_set_arf(x, l); arb_pow_ui(x, x, k, prec); } else arb_zero(x);
    arb_set_arf(y, u); arb_pow_ui(y, y, k, prec);
    /* lam: the chord's slope (u^k - max(l,0)^k)/(u - l), or k u^(k-1) when l = u, to 30 bits */
    if (arf_cmp(u, l) > 0) {
        arb_sub(t, y, x, prec); arb_set_arf(w, u); arb_sub_arf(w, w, l, prec); arb_div(t, t, w, prec);
    } else {
        arb_set_arf(t, u); arb_pow_ui(t, t, k - 1, prec); arb_mul_ui(t, t, k, prec);
    }
    arf_set_round(arb_midref(lam), arb_midref(t), 30, ARF_RND_NEAR); mag_zero(arb_radref(lam));
    if (arf_sgn(arb_midref(lam)) < 0) arb_zero(lam);
    /* h at the ends: M = max of their upper bounds, m = min of their lower bounds */
    arb_set_arf(w, l); arb_mul(w, w, lam, prec); arb_sub(w, x, w, prec);          /* h(l) */
    arb_get_ubound_arf(a, w, prec); arb_get_lbound_arf(b, w, prec);
    arb_set_arf(w, u); arb_mul(w, w, lam, prec); arb_sub(w, y, w, prec);          /* h(u) */
    { arf_t c; arf_init(c);
      arb_get_ubound_arf(c, w, prec); if (arf_cmp(c, a) > 0) arf_set(a, c);
      arb_get_lbound_arf(c, w, prec); if (arf_cmp(c, b) < 0) arf_set(b, c);
      if (arf_sgn(arb_midref(lam)) > 0) {
          /* global minimum h(t*) = t*^k - lam t*, t* = (lam/k)^(1/(k-1)) */
          arb_div_ui(t, lam, k, prec); arb_root_ui(t, t, k - 1, prec);
          arb_pow_ui(w, t, k, prec); arb_submul(w, t, lam, prec);
          arb_get_lbound_arf(c, w, prec); if (arf_is_finite(c) && arf_cmp(c, b) < 0) arf_set(b, c);
      }
      arf_clear(c); }
    /* mid = (m + M)/2, half >= (M - m)/2 */
    arb_set_arf(w, a); arb_add_arf(w, w, b, prec); arb_mul_2exp_si(w, w, -1);
    arf_set(arb_midref(mid), arb_midref(w)); mag_zero(arb_radref(mid));
    arb_set_arf(w, a); arb_sub(w, w, mid, prec); arb_get_ubound_arf(a, w, prec);
    arb_set_arf(w, b); arb_sub(w, mid, w, prec); arb_get_ubound_arf(b, w, prec);
    if (arf_cmp(b, a) > 0) arf_set(a, b);
    arb_set_arf(half, a);
    /* output range */
    arb_get_lbound_arf(a, x, prec); if (arf_sgn(a) < 0) arf_zero(a);
    arb_get_ubound_arf(b, y, prec);
    arb_set_arf(lo, a); arb_set_arf(hi, b);
    return 4;
}
/* The window of a group with shifts D[0..k-1]: lw := a lower bound of min_j(-D[j]), uw := an
 * upper bound of max_j(-D[j]), both exact point balls. */
static inline void carb_window_ends(arb_ptr lw, arb_ptr uw, arb_srcptr D, ulong k, slong prec) {
    arf_t a, b, c; arf_init(a); arf_init(b); arf_init(c);
    arb_t x; arb_init(x);
    for (ulong j = 0; j < k; j++) {
        arb_neg(x, D + j);
        arb_get_lbound_arf(c, x, prec); if (j == 0 || arf_cmp(c, a) < 0) arf_set(a, c);
        arb_get_ubound_arf(c, x, prec); if (j == 0 || arf_cmp(c, b) > 0) arf_set(b, c);
    }
    arb_set_arf(lw, a); arb_set_arf(uw, b);
    arb_clear(x); arf_clear(a); arf_clear(b); arf_clear(c);
}
/* a[n] := C(k, n) sum_j w[j] D[j]^(k-n), n = 0..k: h(t) = sum_j w[j] (t + D[j])^k = sum_n a[n] t^n. */
static inline void carb_window_coefficients(arb_ptr a, arb_srcptr w, arb_srcptr D, ulong k, slong prec) {
    arb_t x, y; arb_init(x); arb_init(y);
    for (ulong n = 0; n <= k; n++) {
        arb_zero(a + n);
        for (ulong j = 0; j < k; j++) { arb_pow_ui(x, D + j, k - n, prec); arb_addmul(a + n, x, w + j, prec); }
        arb_bin_uiui(y, k, n, prec); arb_mul(a + n, a + n, y, prec);
    }
    arb_clear(x); arb_clear(y);
}
/* 1 when a[1] is nonzero and |a[n]| 2^bits <= |a[1]| for n = 2..k (the powers above the first cancel). */
static inline int carb_window_cancels(arb_srcptr a, ulong k, slong bits) {
    mag_t x, y; mag_init(x); mag_init(y);
    int ok = 1;
    arb_get_mag_lower(y, a + 1);
    if (mag_is_zero(y)) ok = 0;
    for (ulong n = 2; ok && n <= k; n++) {
        arb_get_mag(x, a + n); mag_mul_2exp_si(x, x, bits);
        if (mag_cmp(x, y) > 0) ok = 0;
    }
    mag_clear(x); mag_clear(y);
    return ok;
}
/* One consumer's share of a window group (ReLUByPower's k copies of a ReLU unit: units with one
 * pre-activation t and shifts D[j], read with weights w[j]):
 *     h(t) = sum_j w[j] max(t + D[j], 0)^k,     t in [l, u] (exact ends in lo, hi).
 * Every copy is off for t <= Lw and on for t >= Uw (exact point balls), where h is the polynomial
 * sum_n a[n] t^n (a: k + 1 balls). Returns 0 when h = 0 on [l, u], 3 when the range is not
 * finite, 1 when every copy is on (lam = a[1]: the cancelling higher terms go into half) and 4
 * when [l, u] meets the window (lam the chord's slope a[1] u/(u - l) to 30 bits); then
 *     h(t) - lam*t  lies in  [mid - half, mid + half]   for every t in [l, u],
 * mid exact, and vlo, vhi (exact) are the ends of h's range. The hull is taken over the three
 * parts of [l, u]: off (h = 0), window (each copy's power in interval arithmetic, a window is
 * far narrower than a code unit) and on (the polynomial, in interval arithmetic on the part),
 * each nonempty when it is used, so the hull always has a part. Uses scratch[0..7]. */
static inline int carb_window_term(arb_srcptr lo, arb_srcptr hi, arb_srcptr Lw, arb_srcptr Uw, arb_srcptr w, arb_srcptr D,
                                   arb_srcptr a, ulong k, arb_ptr lam, arb_ptr mid, arb_ptr half, arb_ptr vlo, arb_ptr vhi,
                                   slong prec, arb_ptr scratch) {
    /* H: hull of h - lam t; V: hull of h (over the parts used) */
    arb_ptr J = scratch, x = scratch + 1, V = scratch + 2, H = scratch + 3, q = scratch + 4;
    arf_ptr l = arb_midref(scratch + 5), u = arb_midref(scratch + 6), e = arb_midref(scratch + 7);
    arf_srcptr lw = arb_midref(Lw), uw = arb_midref(Uw);
    int have = 0, kind;
    ulong n, j;
    if (!arb_is_finite(lo) || !arb_is_finite(hi)) return 3;
    arf_set(l, arb_midref(lo)); arf_set(u, arb_midref(hi));
    if (arf_cmp(u, lw) <= 0) { arb_zero(vlo); arb_zero(vhi); return 0; }
    if (arf_cmp(l, uw) >= 0) {
        kind = 1;
        arb_set(lam, a + 1);
    } else {
        kind = 4;
        if (arf_cmp(u, l) > 0) {
            arb_set_arf(x, u); arb_set_arf(q, l); arb_sub(q, x, q, prec); arb_div(x, x, q, prec);
            arb_mul(x, x, a + 1, prec);
            arf_set_round(arb_midref(lam), arb_midref(x), 30, ARF_RND_NEAR); mag_zero(arb_radref(lam));
            if (!arb_is_finite(lam)) arb_zero(lam);
        } else arb_zero(lam);   /* a constant t inside the window */
    }
    /* off part [l, min(u, Lw)]: h = 0, h - lam t = -lam t */
    if (arf_cmp(l, lw) < 0) {
        arf_set(e, arf_cmp(u, lw) < 0 ? u : lw);
        arb_set_interval_arf(J, l, e, prec); arb_mul(H, J, lam, prec); arb_neg(H, H);
        arb_zero(V); have = 1;
    }
    /* window part [max(l, Lw), min(u, Uw)]: each copy's power in interval arithmetic */
    if (kind == 4) {
        arf_srcptr s0 = arf_cmp(l, lw) > 0 ? l : lw, s1 = arf_cmp(u, uw) < 0 ? u : uw;
        arb_set_interval_arf(J, s0, s1, prec);
        arb_zero(q);
        for (j = 0; j < k; j++) {
            arb_add(x, J, D + j, prec); carb_clip_nonnegative(x, x, prec); arb_pow_ui(x, x, k, prec);
            arb_addmul(q, x, w + j, prec);
        }
        if (have) arb_union(V, V, q, prec); else arb_set(V, q);
        arb_submul(q, J, lam, prec);
        if (have) arb_union(H, H, q, prec); else arb_set(H, q);
        have = 1;
    }
    /* on part [max(l, Uw), u]: a0 + a1 t + sum_{n >= 2} a_n t^n */
    if (arf_cmp(u, uw) >= 0) {
        arf_srcptr s0 = arf_cmp(l, uw) > 0 ? l : uw;
        arb_set_interval_arf(J, s0, u, prec);
        arb_set(q, a);
        for (n = 2; n <= k; n++) {
            if (arb_is_zero(a + n)) continue;
            arb_pow_ui(x, J, n, prec); arb_addmul(q, x, a + n, prec);
        }
        arb_mul(x, J, a + 1, prec); arb_add(x, x, q, prec);            /* h */
        if (have) arb_union(V, V, x, prec); else arb_set(V, x);
        arb_sub(x, a + 1, lam, prec); arb_mul(x, x, J, prec); arb_add(q, q, x, prec);   /* h - lam t */
        if (have) arb_union(H, H, q, prec); else arb_set(H, q);
        have = 1;
    }
    if (!arb_is_finite(H) || !arb_is_finite(V)) return 3;
    /* mid exact, half >= the radius */
    arf_set(arb_midref(mid), arb_midref(H)); mag_zero(arb_radref(mid));
    arb_zero(half); arf_set_mag(arb_midref(half), arb_radref(H));
    arb_get_lbound_arf(e, V, prec); arb_set_arf(vlo, e);
    arb_get_ubound_arf(e, V, prec); arb_set_arf(vhi, e);
    return kind;
}
#endif
