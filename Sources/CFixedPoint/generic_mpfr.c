// The benchmark's peer (cfixedpoint.h): every stored term as one generic mpfr_mul and one
// mpfr_add at the network's precision, no zero skipping, no special weights; what a plain C
// program over MPFR does.
#include "cfixedpoint.h"
#include <mpfr.h>

void cfx_generic_mpfr(long unit_count, long inputs, const int32_t *term_end, const int32_t *columns,
                      void *weights, void *biases, const uint8_t *activations, void *values, void *t) {
    mpfr_ptr w = (mpfr_ptr)weights, b = (mpfr_ptr)biases, v = (mpfr_ptr)values, tmp = (mpfr_ptr)t;
    long start = 0;
    for (long u = inputs; u < unit_count; u++) {
        mpfr_ptr acc = v + u;
        mpfr_set(acc, b + (u - inputs), MPFR_RNDN);
        long end = term_end[u - inputs];
        for (long k = start; k < end; k++) {
            mpfr_mul(tmp, w + k, v + columns[k], MPFR_RNDN);
            mpfr_add(acc, acc, tmp, MPFR_RNDN);
        }
        start = end;
        if (activations[u - inputs] == 1) { if (mpfr_sgn(acc) <= 0) mpfr_set_zero(acc, 1); }
        else if (activations[u - inputs] == 2) mpfr_set_ui(acc, mpfr_sgn(acc) >= 0 ? 1 : 0, MPFR_RNDN);
    }
}
