/* blas.c - OpenBLAS opened privately (blas.h). */
#include <dlfcn.h>
#include <pthread.h>
#include "blas.h"

#ifndef MC_OPENBLAS_LIB
#define MC_OPENBLAS_LIB "libopenblas.so.0"
#endif

typedef void (*sgemm_fn)(const char *, const char *, const int *, const int *, const int *,
                         const float *, const float *, const int *, const float *, const int *,
                         const float *, float *, const int *);
typedef void (*threads_fn)(int);

static sgemm_fn sgemm;
static const char *open_error;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void open_once(void)
{
    void *h = dlopen(MC_OPENBLAS_LIB, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        open_error = dlerror();
        return;
    }
    threads_fn set_threads;
    *(void **)&set_threads = dlsym(h, "openblas_set_num_threads");
    *(void **)&sgemm = dlsym(h, "sgemm_");
    if (!sgemm || !set_threads) {
        sgemm = NULL;
        open_error = "the library has no sgemm_ or openblas_set_num_threads";
        return;
    }
    set_threads(1);
}

int mc_gpt_blas_open(mc_error *err)
{
    pthread_once(&once, open_once);
    if (sgemm)
        return MC_OK;
    return mc_error_set(err, MC_EIO,
                        "gpt: cannot open OpenBLAS (%s): %s; install libopenblas0-pthread "
                        "(scripts/install-deps.sh)",
                        MC_OPENBLAS_LIB, open_error ? open_error : "unknown error");
}

void mc_gpt_sgemm(int ta, int tb, size_t M, size_t N, size_t K, float alpha, const float *A,
                  size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
    /* column-major: C^T = op(B)^T op(A)^T */
    char a = ta ? 'T' : 'N', b = tb ? 'T' : 'N';
    int m = (int)M, n = (int)N, k = (int)K, la = (int)lda, lb = (int)ldb, lc = (int)ldc;
    sgemm(&b, &a, &n, &m, &k, &alpha, B, &lb, A, &la, &beta, C, &lc);
}
