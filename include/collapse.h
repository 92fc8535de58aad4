/* collapse.h - libcollapse: a laboratory for model collapse.
 *
 * A generative model is fit to data; its samples become the next generation's training data.
 * This header pulls in the whole public API. See docs/ARCHITECTURE.md.
 */
#ifndef COLLAPSE_H
#define COLLAPSE_H

#define MC_VERSION "0.2.0"

#include "collapse/error.h"
#include "collapse/cancel.h"
#include "collapse/status.h"
#include "collapse/rng.h"
#include "collapse/config.h"
#include "collapse/family.h"
#include "collapse/regime.h"
#include "collapse/curate.h"
#include "collapse/experiment.h"
#include "collapse/summary.h"
#include "collapse/writer.h"
#include "collapse/registry.h"
#include "collapse/presets.h"
#include "collapse/run.h"
#include "collapse/budget.h"
#include "collapse/target.h"
#include "collapse/need.h"
#include "collapse/plot.h"
#include "collapse/mpi.h"
#include "collapse/zoo.h"

#endif
