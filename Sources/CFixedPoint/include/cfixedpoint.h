#ifndef CFIXEDPOINT_H
#define CFIXEDPOINT_H
// Fixed-point evaluation of networks with dyadic weights over GMP's mpn layer, with a per-point
// certificate (docs/evaluation.md, "Fixed point"), and the generic MPFR loop the benchmark
// compares it with. Every unit u holds a two's-complement integer X_u of `limbs` limbs and means
// X_u / 2^frac; each evaluation also gives a bound E_u on |X_u / 2^frac - v_u|, v_u the value
// of the unit in exact real arithmetic with the same stored weights and the same input.
#include <stddef.h>
#include <stdint.h>

/// Fractional bits up to which a unit's bound is kept as a plain float64; a unit with more keeps
/// it scaled by 2^(frac - CFX_BOUND_RESOLUTION) (float64 has nothing below 2^-1074, and a deep
/// chain multiplies its first states' roundings by 5 per step).
#define CFX_BOUND_RESOLUTION 960

/// One unit of the plan. Units 0 ..< inputs are the network's inputs (no terms, no bias).
typedef struct {
    int64_t record;       ///< first limb of the unit's record in a workspace's state: a 4-limb header
                          ///< (bound, value as a double, own rounding, flags), then the value's limbs
    int64_t bias_offset;  ///< first limb of the bias (limbs + 1 limbs, at this unit's scale) or -1
    int32_t limbs;        ///< limbs of the value (two's complement)
    int32_t frac;         ///< fractional bits: the value is X / 2^frac
    int32_t term_start;   ///< the unit's terms are term_start ..< term_end
    int32_t term_end;
    uint8_t activation;   ///< 0 identity, 1 ReLU, 2 step (x >= 0 -> 1)
    uint8_t bias_inexact; ///< the stored bias was floored to frac bits (adds 2^-frac to the bound)
    uint8_t expand;       ///< tighten the bound through inputs that are ReLUs certainly on (costly;
                          ///< for units whose errors a deep chain would amplify)
    uint8_t wide;         ///< this unit, an input of it or an input of a ReLU input has bound_scale > 0
                          ///< (the bounds are then rescaled term by term)
    int16_t bound_scale;  ///< s >= 0: the record keeps the bound and rounding times 2^s, so that a
                          ///< unit of F > 960 fractional bits (s = F - 960) has its 2^-F in range of a
                          ///< float64 (CFX_BOUND_RESOLUTION)
    uint8_t pad[2];
    double bias_double;   ///< the bias as a double (for one-sided bounds)
} cfx_unit;

/// One stored weight w of a unit u reading unit j (zeros are not stored). 24 bytes. Every
/// weight is ±M 2^(64 shift) at the scales of u and j (the sub-limb part of its exponent is
/// folded into M when the network is prepared), so a term is added at a whole-limb offset.
typedef struct {
    uint64_t m;         ///< short: M itself (< 2^64); long: index of M's limbs in the pool
    double w;           ///< w as a double (bounds and enclosures)
    int32_t record;     ///< the record of the unit j read (cfx_unit.record)
    int16_t shift;      ///< in limbs: w x_j adds ±M X_j 2^(64 shift) to X_u (floored when shift < 0)
    uint8_t kind;       ///< bit 0: a long weight; bit 1: w is exactly the double `w`; bit 2: negative
    uint8_t long_limbs; ///< long: limbs of M
} cfx_term;

/// The network as the kernel reads it (owned by the caller, read-only while evaluating).
typedef struct {
    const cfx_unit *units;
    const cfx_term *terms;
    const uint64_t *limb_pool;   ///< biases and long magnitudes
    const int32_t *consumer_end; ///< unit j's consumers are consumers[consumer_end[j - 1] ..< consumer_end[j]]
    const int32_t *consumers;    ///< the units reading each unit, in increasing order
    int64_t unit_count;
    int64_t inputs;
    int64_t state_limbs;         ///< total limbs of all units' records
    int32_t max_limbs;           ///< largest unit limb count
    int32_t max_long_limbs;      ///< largest long magnitude
} cfx_network;

/// Zeroed memory for a large table (in 2 MB pages where the system allows); free with cfx_table_free.
void *cfx_table_alloc(size_t bytes);
void cfx_table_free(void *p);

/// Per-thread state: every unit's value and bound from the last point (for reuse), and scratch.
typedef struct cfx_workspace cfx_workspace;

cfx_workspace *cfx_workspace_create(const cfx_network *net);
void cfx_workspace_destroy(cfx_workspace *ws);
/// Forget the previous point: the next evaluation computes every unit.
void cfx_workspace_reset(cfx_workspace *ws);

/// Evaluates at x[0 ..< inputs]. Units whose inputs did not change since the previous point on
/// this workspace keep their value (the same operations on the same bits give the same bits).
/// Returns the number of units computed.
int64_t cfx_evaluate(const cfx_network *net, cfx_workspace *ws, const double *x);

/// The output unit (the last unit): its limbs (two's complement), limb count, fractional bits and
/// the certified bound on |value - exact value| (+inf when none could be given; rounded up to
/// 2^-1022 when smaller, see cfx_unit_bound for the bound itself).
const uint64_t *cfx_output(const cfx_network *net, const cfx_workspace *ws, int32_t *limbs, int32_t *frac, double *bound);
/// The bound of unit u after the last evaluation, as m 2^(*exponent) (m a float64; the bound
/// itself may be far below the smallest float64), and its approximate value.
double cfx_unit_bound(const cfx_network *net, const cfx_workspace *ws, int64_t u, int32_t *exponent);
double cfx_unit_value(const cfx_network *net, const cfx_workspace *ws, int64_t u);

/// A finite MPFR number (`mpfr`, an mpfr_srcptr) as +-M 2^exponent with M odd: writes M's limbs
/// (at most `capacity`) and returns their count (0 for zero; -1 when M needs more limbs).
int32_t cfx_dyadic(const void *mpfr, uint64_t *limbs, int32_t capacity, int64_t *exponent, int32_t *negative);

/// out (n limbs, two's complement) = floor(+-M 2^shift); returns 1 when bits were discarded.
/// (Also used to fold a weight's sub-limb shift into its magnitude: negative = 0, shift in 0 ..< 64.)
int32_t cfx_scaled(const uint64_t *magnitude, int32_t m_limbs, int32_t negative, int64_t shift, uint64_t *out, int32_t n);

/// mpfr (an mpfr_ptr) = x 2^-frac rounded to nearest at its precision; x two's complement, n limbs.
void cfx_to_mpfr(void *mpfr, const uint64_t *x, int32_t n, int32_t frac);

/// The benchmark's peer: a plain loop of generic mpfr_mul + mpfr_add over every stored term of
/// a sparse network (CSR over global unit indices, as above), every operation at one precision.
/// `weights` and `biases` hold initialised mpfr_t of that precision; `values` has one initialised
/// mpfr_t per unit (inputs set by the caller); `t` one scratch number. Activations as above.
void cfx_generic_mpfr(long unit_count, long inputs, const int32_t *term_end, const int32_t *columns,
                      void *weights, void *biases, const uint8_t *activations, void *values, void *t);

#endif
