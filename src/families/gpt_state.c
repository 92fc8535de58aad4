/* gpt_state.c - the gpt family's fitted model in a checkpoint (gpt_state.h).
 *
 * What the next generation reads of a model: its weights (model.init = previous fine-tunes
 * them), the AdamW moments and step count (reset by every fit, kept all the same so that a
 * model read back is the saved one whole), whether it was fitted, and the last fit's statistics.
 * The BPE is the world's (learned again, the same, from the same corpus and settings when a run
 * resumes) and the sampler holds nothing between calls. The shape is written first and must be
 * the model's: a checkpoint of another shape is refused. */
#include <stdint.h>
#include <string.h>
#include "gpt/world.h"
#include "gpt_state.h"

static int put(FILE *f, const void *p, size_t size, size_t n)
{
    return fwrite(p, size, n, f) == n ? MC_OK : MC_EIO;
}

int mc_gpt_model_save(const void *params, const void *vm, FILE *f)
{
    (void)params;
    const gpt_model *m = vm;
    const mc_gpt *net = m->net;
    uint64_t head[8] = {net->s.V, net->s.C, net->s.D, net->s.L, net->s.H, net->nparams,
                        net->adam_t, (uint64_t)m->fitted};
    double stats[3] = {m->stats.loss, m->stats.grad_norm, m->stats.tokens};
    int r = put(f, head, sizeof *head, 8);
    if (r == MC_OK)
        r = put(f, stats, sizeof *stats, 3);
    if (r == MC_OK)
        r = put(f, net->param, sizeof *net->param, net->nparams);
    if (r == MC_OK)
        r = put(f, net->adam_m, sizeof *net->adam_m, net->nparams);
    return r == MC_OK ? put(f, net->adam_v, sizeof *net->adam_v, net->nparams) : r;
}

int mc_gpt_model_load(const void *params, void *vm, FILE *f, mc_error *err)
{
    (void)params;
    gpt_model *m = vm;
    mc_gpt *net = m->net;
    uint64_t head[8];
    double stats[3];
    if (fread(head, sizeof head, 1, f) != 1 || head[0] != net->s.V || head[1] != net->s.C ||
        head[2] != net->s.D || head[3] != net->s.L || head[4] != net->s.H ||
        head[5] != net->nparams || head[7] > 1)
        return mc_error_set(err, MC_EIO, "gpt: not a model of this shape (V %u, C %u, D %u, "
                            "L %u, H %u)", net->s.V, net->s.C, net->s.D, net->s.L, net->s.H);
    size_t P = net->nparams;
    if (fread(stats, sizeof stats, 1, f) != 1 ||
        fread(net->param, sizeof *net->param, P, f) != P ||
        fread(net->adam_m, sizeof *net->adam_m, P, f) != P ||
        fread(net->adam_v, sizeof *net->adam_v, P, f) != P)
        return mc_error_set(err, MC_EIO, "gpt: the model is cut short");
    net->adam_t = head[6];
    m->fitted = (int)head[7];
    m->stats.loss = stats[0];
    m->stats.grad_norm = stats[1];
    m->stats.tokens = stats[2];
    return MC_OK;
}
