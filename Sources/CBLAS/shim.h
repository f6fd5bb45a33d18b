/* OpenBLAS's CBLAS interface (Debian: libopenblas-dev). */
#ifndef APPROXRATES_CBLAS_SHIM_H
#define APPROXRATES_CBLAS_SHIM_H
#include <cblas.h>
#endif
