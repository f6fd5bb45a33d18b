/* ApproxRates' view of MPFR and GMP.
 * Swift cannot see C macros, variadic functions or MPFR_PREC_MAX; the static inline
 * functions below expose what the library needs under stable names (prefix cmpfr_). */
#ifndef APPROXRATES_CMPFR_SHIM_H
#define APPROXRATES_CMPFR_SHIM_H
#include <stdarg.h>
#include <stdio.h>     /* before mpfr.h: declares the FILE* functions */
#include <stdint.h>
#include <stdlib.h>
#define MPFR_USE_INTMAX_T 1
#define MPFR_USE_VA_LIST 1
#include <gmp.h>
#include <mpfr.h>
#include "arb_shim.h"   /* Arb balls, for the certified enclosures */

static inline mpfr_prec_t cmpfr_prec_min(void) { return MPFR_PREC_MIN; }
static inline mpfr_prec_t cmpfr_prec_max(void) { return MPFR_PREC_MAX; }
static inline const char *cmpfr_version(void) { return mpfr_get_version(); }
static inline const char *cmpfr_gmp_version(void) { return gmp_version; }

/* Macro-only or macro-first names, as functions. */
static inline int cmpfr_sgn(mpfr_srcptr x) { return mpfr_sgn(x); }
static inline int cmpfr_nan_p(mpfr_srcptr x) { return mpfr_nan_p(x); }
static inline int cmpfr_inf_p(mpfr_srcptr x) { return mpfr_inf_p(x); }
static inline int cmpfr_zero_p(mpfr_srcptr x) { return mpfr_zero_p(x); }
static inline int cmpfr_number_p(mpfr_srcptr x) { return mpfr_number_p(x); }
static inline int cmpfr_signbit(mpfr_srcptr x) { return mpfr_signbit(x); }
static inline mpfr_prec_t cmpfr_get_prec(mpfr_srcptr x) { return mpfr_get_prec(x); }
static inline mpfr_exp_t cmpfr_get_exp(mpfr_srcptr x) { return mpfr_get_exp(x); }
static inline int cmpfr_set(mpfr_ptr r, mpfr_srcptr x, mpfr_rnd_t rnd) { return mpfr_set(r, x, rnd); }
static inline int cmpfr_cmp_ui(mpfr_srcptr x, unsigned long u) { return mpfr_cmp_ui(x, u); }
static inline int cmpfr_cmp_si(mpfr_srcptr x, long s) { return mpfr_cmp_si(x, s); }
static inline void cmpfr_set_zero_pos(mpfr_ptr x) { mpfr_set_zero(x, 1); }

/* Correctly rounded decimal/hex output through MPFR's own printf (va_list form). */
static inline int cmpfr_snprint(char *buf, size_t n, const char *fmt, mpfr_srcptr x) {
    return mpfr_snprintf(buf, n, fmt, x);
}

/* mpfr_get_str allocates with GMP's allocator: free with mpfr_free_str. */
static inline void cmpfr_free_cache_local(void) { mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE); }

/* The custom interface (numbers whose limbs live in a caller-owned buffer). */
static inline size_t cmpfr_custom_size(mpfr_prec_t p) { return mpfr_custom_get_size(p); }
static inline void cmpfr_custom_init_zero(mpfr_ptr x, mpfr_prec_t p, void *limbs) {
    mpfr_custom_init(limbs, p);
    mpfr_custom_init_set(x, MPFR_ZERO_KIND, 0, p, limbs);
}
static inline void cmpfr_set_one(mpfr_ptr x) { mpfr_set_ui(x, 1, MPFR_RNDN); }

#endif
