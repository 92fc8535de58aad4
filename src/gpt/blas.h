/* blas.h - OpenBLAS's sgemm for the gpt family, loaded apart from GSL's CBLAS (private).
 *
 * GSL is linked with its own CBLAS (libgslcblas), which the other families' results depend on
 * bit for bit. Linking OpenBLAS into the program would let its cblas_* serve GSL's calls too
 * (the dynamic linker takes the first definition it meets), so OpenBLAS is opened with
 * dlopen(RTLD_LOCAL): its symbols stay private to the gpt family, which calls its Fortran sgemm_.
 * Each product runs on the calling thread (openblas_set_num_threads(1)): the engine runs units
 * side by side, and a product's sums then never depend on --threads.
 */
#ifndef MC_GPT_BLAS_H
#define MC_GPT_BLAS_H

#include <stddef.h>
#include "collapse/error.h"

/* Opens OpenBLAS once (thread-safe). MC_OK, or MC_EIO with a message saying what to install. */
int mc_gpt_blas_open(mc_error *err);

/* Row-major C (M x N) = alpha op(A) op(B) + beta C; ta, tb: 1 = transposed. mc_gpt_blas_open
 * must have succeeded. */
void mc_gpt_sgemm(int ta, int tb, size_t M, size_t N, size_t K, float alpha, const float *A,
                  size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc);

#endif
