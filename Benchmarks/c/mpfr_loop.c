/* The peer: the same dense ReLU evaluation as MPFREvaluator, as a plain C loop over MPFR.
 * acc = b_i; acc += W_ij * x_j (j increasing), every op rounded to nearest at P bits; ReLU on
 * hidden layers (x <= 0 -> +0). Reads Benchmarks/out/problem-P.txt, writes c-P.txt (hex),
 * prints the best time of R runs as a JSON line.  Build: gcc -O2 mpfr_loop.c -lmpfr -lgmp */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <mpfr.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: mpfr_loop DIR PRECISION [REPEATS]\n"); return 2; }
    char path[4096]; snprintf(path, sizeof path, "%s/problem-%s.txt", argv[1], argv[2]);
    int repeats = argc > 3 ? atoi(argv[3]) : 3;
    FILE *f = fopen(path, "r"); if (!f) { perror(path); return 1; }
    long prec; int depth, width, points;
    if (fscanf(f, "%ld %d %d %d", &prec, &depth, &width, &points) != 4) return 1;
    char *tok = malloc(1 << 16);
    mpfr_t *w = malloc(sizeof(mpfr_t) * depth * width * width), *b = malloc(sizeof(mpfr_t) * depth * width);
    mpfr_t *x = malloc(sizeof(mpfr_t) * points * width), *out = malloc(sizeof(mpfr_t) * points * width);
    for (long i = 0; i < (long)depth * width * width; i++) mpfr_init2(w[i], prec);
    for (long i = 0; i < (long)depth * width; i++) mpfr_init2(b[i], prec);
    for (long i = 0; i < (long)points * width; i++) { mpfr_init2(x[i], prec); mpfr_init2(out[i], prec); }
    for (int l = 0; l < depth; l++) {
        for (int k = 0; k < width * width; k++) { if (fscanf(f, "%65535s", tok) != 1) return 1; mpfr_set_str(w[(long)l * width * width + k], tok, 10, MPFR_RNDN); }
        for (int k = 0; k < width; k++) { if (fscanf(f, "%65535s", tok) != 1) return 1; mpfr_set_str(b[l * width + k], tok, 10, MPFR_RNDN); }
    }
    for (long k = 0; k < (long)points * width; k++) { if (fscanf(f, "%65535s", tok) != 1) return 1; mpfr_set_str(x[k], tok, 10, MPFR_RNDN); }
    fclose(f);
    mpfr_t *cur = malloc(sizeof(mpfr_t) * width), *nxt = malloc(sizeof(mpfr_t) * width), t;
    for (int i = 0; i < width; i++) { mpfr_init2(cur[i], prec); mpfr_init2(nxt[i], prec); }
    mpfr_init2(t, prec);
    double best = 1e300;
    for (int r = 0; r < repeats; r++) {
        double t0 = now();
        for (int p = 0; p < points; p++) {
            for (int j = 0; j < width; j++) mpfr_set(cur[j], x[(long)p * width + j], MPFR_RNDN);
            for (int l = 0; l < depth; l++) {
                for (int i = 0; i < width; i++) {
                    mpfr_set(nxt[i], b[l * width + i], MPFR_RNDN);
                    mpfr_t *row = w + (long)l * width * width + (long)i * width;
                    for (int j = 0; j < width; j++) { mpfr_mul(t, row[j], cur[j], MPFR_RNDN); mpfr_add(nxt[i], nxt[i], t, MPFR_RNDN); }
                    if (l < depth - 1 && mpfr_sgn(nxt[i]) <= 0) mpfr_set_zero(nxt[i], 1);
                }
                mpfr_t *s = cur; cur = nxt; nxt = s;
            }
            for (int i = 0; i < width; i++) mpfr_set(out[(long)p * width + i], cur[i], MPFR_RNDN);
        }
        double dt = now() - t0; if (dt < best) best = dt;
    }
    snprintf(path, sizeof path, "%s/c-%s.txt", argv[1], argv[2]);
    FILE *o = fopen(path, "w");
    for (long k = 0; k < (long)points * width; k++) mpfr_fprintf(o, "%Ra\n", out[k]);
    fclose(o);
    printf("{\"impl\": \"c-mpfr\", \"precision\": %ld, \"threads\": 1, \"points\": %d, \"seconds\": %.9f}\n", prec, points, best);
    return 0;
}
