#!/bin/sh
# Runs the papers' own code beside collapse on matched setups and prints both numbers with their
# Monte Carlo errors (docs/ZOO.md, "The papers' own code").
#
# usage: scripts/zoo-peers.sh KAZDAN_CHECKOUT DEY_DONOHO_CHECKOUT [OUT_DIR]
#   KAZDAN_CHECKOUT      a checkout of github.com/RylanSchaeffer/KoyejoLab-Collapse-or-Thrive
#   DEY_DONOHO_CHECKOUT  a checkout of github.com/apd1995/model_collapse_universality
#   OUT_DIR              where the runs go (default: a new folder under /tmp)
# Needs: build/collapse (make), /usr/bin/python3 with numpy and scikit-learn and torch
# (scripts/install-deps.sh bench), and Rscript (r-base-core, the same mode). Nothing of the
# checkouts is copied into this repository; their code runs where it is.
#
# Kazdan, Schaeffer et al.: their KDE loop (src/fit_kdes/fit_kdes.py) through
# scripts/zoo_peers_kazdan.py, which stands in for wandb (the logger) and for the pip-only modules
# their src/data.py imports for its language-model part; 200 seeds per setting; collapse runs the
# same settings (scikit-learn's moons, noise 0.05, n = 100, Gaussian kernel, sklearn's Scott
# bandwidth and h = 0.1, replace and accumulate) on 20 worlds (run.seed 1..20, each with its own
# 500-point held-out set, as their test set changes with the seed) of 20 replicates. Their
# iteration k is our generation k - 1.
#
# Dey & Donoho: their R simulation (experiments/gaussian_limits/model_collapse_codes.R) is the
# asymptotic (n -> infinity) Gaussian law of the mean and the median; it is run as it is up to
# its plot, with G = 50 generations and 10^5 Monte Carlo draws instead of 100 and 10^6 (the
# original needs about 5 GB of memory), a seed set, and the ratios printed. collapse runs the
# location model with the median (model.estimator = median, model.covariance = known) at
# n = 101 (d = 10, 400 replicates) and n = 1001 (d = 2, 150 replicates); its ratio is
# E ||theta_g - mu||^2 / (d v(n)), v(n) the exact variance of the median of n normals
# (generation 0's error; the coordinates are independent copies of the 1-D model).
set -eu
[ $# -ge 2 ] || { sed -n '4,9p' "$0" >&2; exit 2; }
KAZ=$1 DD=$2
OUT=${3:-$(mktemp -d /tmp/zoo-peers.XXXXXX)}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
COLLAPSE=${COLLAPSE:-$ROOT/build/collapse}
[ -f "$KAZ/src/fit_kdes/fit_kdes.py" ] || { echo "zoo-peers: $KAZ: no src/fit_kdes/fit_kdes.py" >&2; exit 2; }
R_SRC=$DD/experiments/gaussian_limits/model_collapse_codes.R
[ -f "$R_SRC" ] || { echo "zoo-peers: $DD: no $R_SRC" >&2; exit 2; }
[ -x "$COLLAPSE" ] || { echo "zoo-peers: $COLLAPSE missing (make)" >&2; exit 2; }
command -v Rscript >/dev/null || { echo "zoo-peers: Rscript missing (scripts/install-deps.sh bench)" >&2; exit 2; }
mkdir -p "$OUT"

# ---- Kazdan, Schaeffer et al.: the KDE on two moons
/usr/bin/python3 "$ROOT/scripts/zoo_peers_kazdan.py" "$KAZ" 200 \
  Replace:gaussian:scott:100:10 Accumulate:gaussian:scott:100:10 \
  Replace:gaussian:0.1:100:10 Accumulate:gaussian:0.1:100:10 > "$OUT/kazdan-theirs.csv"
# ours: 20 world seeds x 20 replicates, so that the held-out set (one per world, drawn with it)
# varies as their test set does from seed to seed; mean and SE over the 20 seed means
for bw in sklearn-scott 0.1; do
  case $bw in
    sklearn-scott) model="bandwidth_rule = sklearn-scott" ;;
    *) model="bandwidth_rule = fixed
bandwidth = $bw" ;;
  esac
  for seed in $(seq 1 20); do
    cat > "$OUT/kazdan-$bw-$seed.ini" <<EOF
[world]
shape = moons
noise = 0.05
holdout = 500
[model]
family = kde
$model
[regime]
name = replace, accumulate
n = 100
[run]
generations = 9
replicates = 20
seed = $seed
EOF
    "$COLLAPSE" run "$OUT/kazdan-$bw-$seed.ini" -o "$OUT/kazdan-$bw-$seed" --quiet --no-plots > /dev/null
  done
done
echo "Kazdan et al., KDE on moons: test NLL, theirs (200 seeds) and ours (20 worlds x 20 replicates)"
printf '%-10s %-10s %-9s %-22s %-22s %s\n' setting bandwidth iteration theirs ours z
for bw in scott 0.1; do
  dir=$OUT/kazdan-$([ $bw = scott ] && echo sklearn-scott || echo $bw)
  for it in 1 10; do
    for pt in 0 1; do
      setting=$([ $pt = 0 ] && echo Replace || echo Accumulate)
      theirs=$(awk -F, -v s=$setting -v b=$bw -v i=$it '$1==s && $3==b && $5==i {print $6, $7}' "$OUT/kazdan-theirs.csv")
      ours=$(cat "$dir"-*/summary.csv | awk -F, -v p=$pt -v g=$((it - 1)) '
        $1==p && $2==g && $3=="nll_heldout" {k++; s += $5; ss += $5 * $5}
        END {m = s / k; printf "%.6g %.3g", m, sqrt((ss - k * m * m) / (k - 1) / k)}')
      echo "$setting $bw $it $theirs $ours" | awk '{z = ($6 - $4) / sqrt($5^2 + $7^2);
        printf "%-10s %-10s %-9s %-22s %-22s %+.2f\n", $1, $2, $3, $4 " +- " $5, $6 " +- " $7, z}'
    done
  done
done

# ---- Dey & Donoho: the median's variance ratio under replace, accumulate, accumulate-subsample
{
  echo "set.seed(2410)"
  sed -n '1,/^# combine the data/p' "$R_SRC" | sed -e 's/^G = 100$/G = 50/' -e 's/^num_mc = 1000000$/num_mc = 100000/'
  cat <<'EOF'
cat("workflow,generation,ratio\n")
for (g in c(2, 11, G)) cat(sprintf("replace,%d,%.6f\naccumulate,%d,%.6f\nsubsample,%d,%.6f\n",
  g, row_variances_ratio_replace[g], g, row_variances_ratio_augment[g], g,
  row_variances_ratio_subsample[g]))
EOF
} > "$OUT/dey-donoho.R"
Rscript "$OUT/dey-donoho.R" > "$OUT/dey-donoho-theirs.csv"
for n in 101 1001; do
  reps=$([ $n = 101 ] && echo 400 || echo 150)
  dim=$([ $n = 101 ] && echo 10 || echo 2)
  regimes=$([ $n = 101 ] && echo "replace, accumulate, accumulate-subsample" || echo "replace, accumulate")
  cat > "$OUT/dey-donoho-$n.ini" <<EOF
[world]
dim = $dim
sigma = 1
[model]
family = gaussian
estimator = median
covariance = known
[regime]
name = $regimes
n = $n
[run]
generations = 49
replicates = $reps
seed = 2410
EOF
  "$COLLAPSE" run "$OUT/dey-donoho-$n.ini" -o "$OUT/dey-donoho-$n" --quiet > /dev/null
done
echo
echo "Dey & Donoho, the median's error ratio E (theta_g - mu)^2 / v(n): theirs (asymptotic, 10^5 draws) and ours"
printf '%-12s %-10s %-10s %-24s %s\n' workflow generation theirs "ours (n = 101)" "ours (n = 1001)"
for w in replace accumulate subsample; do
  for g in 2 11 50; do
    theirs=$(awk -F, -v w=$w -v g=$g '$1==w && $2==g {print $3}' "$OUT/dey-donoho-theirs.csv")
    pt=$(case $w in replace) echo 0 ;; accumulate) echo 1 ;; *) echo 2 ;; esac)
    ours=$(awk -F, -v p=$pt -v g=$((g - 1)) '
      $1==0 && $2==0 && $3=="mean_error" {v = $10}
      $1==p && $2==g && $3=="mean_error" {m = $5; s = $6 / sqrt($4)}
      END {printf "%.4f +- %.4f", m / v, s / v}' "$OUT/dey-donoho-101/summary.csv")
    big="-"
    [ $w = accumulate ] && big=$(awk -F, -v g=$((g - 1)) '
      $1==0 && $2==0 && $3=="mean_error" {v = $10}
      $1==1 && $2==g && $3=="mean_error" {m = $5; s = $6 / sqrt($4)}
      END {printf "%.4f +- %.4f", m / v, s / v}' "$OUT/dey-donoho-1001/summary.csv")
    printf '%-12s %-10s %-10s %-24s %s\n' $w $((g - 1)) "$theirs" "$ours" "$big"
  done
done
echo "(runs in $OUT)"
