#!/usr/bin/python3
"""Offline check of predictor variants: the exhaustive choice over a pool of searched archs.

For each variant, fits XGBoost (Debian's python3-xgboost, the library pelnas opens) on its training
archs with pelnas's default features (the 9 default proxies + the 8 cell graph features of
src/predictor/predictor_features.cpp) and options, predicts every arch of the pool, and prints per
CIFAR-10 device the HV ratio and IGD of the pool's front by predicted accuracy, re-scored on true
test accuracy (the protocol of scripts/predictor_search_analysis.py: degenerate cells out, EvoXBench
normalisation, HV reference (1, 1)), mean (and spread) over XGBoost model seeds, plus Spearman and
top-20 % Spearman on the pool's archs outside the training sample and on the uniform held-out rows
1000-1299 of the shipped table. No proxy is computed: proxies come from the shipped table, then the
cache. docs/PROTOCOL.md section 4e is this script's output.

  scripts/predictor_pool_variants.py --pool POOL.txt --cache proxies.sqlite [--variants a,b] [--seeds 5]
  scripts/predictor_pool_variants.py ... --reference-signals
      (noisy true accuracy and the table's other trained accuracies as the signal over the same pool)
  scripts/predictor_pool_variants.py ... --check MODEL_PREDICTIONS.csv
      (`pelnas predictor predict` of the default model over the pool: the default variant must
      reproduce it; prints the largest difference)

Needs Debian's python3-xgboost and python3-scipy (not installed by scripts/setup.sh; python3-numpy is);
run it with /usr/bin/python3. About 15 CPU-min for all variants at 5 seeds.

Variants (--variants, default all): see VARIANTS below. Per-device variants train one model per
device (their training weights or query groups use that device's latency); the others one model
for all six devices.
"""
import argparse
import bisect
import csv
import json
import math
import os
import sqlite3
import statistics
import sys

import numpy as np
import xgboost as xgb
from scipy.stats import spearmanr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from predictor_search_analysis import Protocol, nondominated  # noqa: E402
from table_stats import read_nb201_table  # noqa: E402

DEVICES = ["edgegpu", "raspi4", "edgetpu", "pixel3", "eyeriss", "fpga"]
PROXIES = "fisher flops grad_norm l2_norm nwot params plain snip synflow".split()  # default_proxy_set()
OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
PATHS = [[3], [0, 4], [1, 5], [0, 2, 5]]  # edges of the 4 input->output paths (predictor_features.cpp)


def parse_ops(arch_str):
    return [OPS.index(tok.split("~")[0]) for part in arch_str.split("+") for tok in part.strip("|").split("|")]


def graph_features(ops):
    """cell_graph_features() of predictor_features.cpp."""
    live = max_conv = skip_path = 0
    min_conv = 10**9
    on_live = [False] * 6
    for p in PATHS:
        if any(ops[e] == 0 for e in p):
            continue
        live += 1
        convs = sum(ops[e] in (2, 3) for e in p)
        max_conv, min_conv = max(max_conv, convs), min(min_conv, convs)
        skip_path = skip_path or sum(ops[e] == 1 for e in p) == len(p)
        for e in p:
            on_live[e] = True
    c3 = c1 = pool = dead = 0
    for e in range(6):
        if not on_live[e]:
            dead += ops[e] in (2, 3)
            continue
        c3 += ops[e] == 3
        c1 += ops[e] == 2
        pool += ops[e] == 4
    return [live, max_conv, min_conv if live else -1, c3, c1, pool, int(skip_path), dead]


def niche(ops):
    """The default NB201 niche (PAPER.md: 0 no conv, 1 conv1x1 only, then 1, 2, 3, >= 4 conv3x3)."""
    c3, c1 = sum(o == 3 for o in ops), sum(o == 2 for o in ops)
    return (0 if c1 == 0 else 1) if c3 == 0 else min(c3 + 1, 5)


class Data:
    def __init__(self, a):
        table = read_nb201_table(a.data)
        self.rows = list(table.values())
        self.by_str = {r["arch_str"]: i for i, r in table.items()}
        self.acc = {i: float(r["c10_test_acc"]) for i, r in table.items()}
        self.flops = {i: float(r["flops_c10"]) for i, r in table.items()}
        self.ops = {i: parse_ops(r["arch_str"]) for i, r in table.items()}
        self.lat = {d: {i: float(r[f"c10_{d}_latency"]) for i, r in table.items() if r[f"c10_{d}_latency"] not in ("", None)}
                    for d in DEVICES}
        self.proxies, self.ship_order = {}, []
        with open(a.proxies_table) as f:  # the shipped table first, as pelnas reads it
            for r in csv.DictReader(f):
                i = int(r["index"])
                self.ship_order.append(i)
                self.proxies[i] = [float(r[p]) if r[p] != "" else math.nan for p in PROXIES]
        con = sqlite3.connect(f"file:{a.cache}?mode=ro", uri=True)
        for row in con.execute(f"SELECT arch, {', '.join(PROXIES)} FROM proxy_rows WHERE dataset = 'cifar10' "
                               "AND batch_size = 64 AND seed = 0 AND input = ''"):
            i = self.by_str[row[0]]
            self.proxies.setdefault(i, [math.nan if v is None else float(v) for v in row[1:]])
        with open(a.pool) as f:
            self.pool = [self.by_str[s.strip()] for s in f if s.strip()]
        pool_set = set(self.pool)
        self.train1000 = self.ship_order[:1000]
        self.uniform = self.ship_order[1000:1300]
        # Archs with proxies outside the pool and the shipped table (other searches' archs).
        self.extra = sorted(set(self.proxies) - pool_set - set(self.ship_order))
        self.protocols = {d: Protocol(self.rows, d) for d in DEVICES}

    def features(self, idx):
        out = []
        for i in idx:
            p = [x if math.isnan(x) else min(max(x, -3e38), 3e38) for x in self.proxies[i]]
            out.append(p + graph_features(self.ops[i]))
        return np.array(out, dtype=np.float32)


def xgb_params(objective="reg:squarederror", seed=0, **kw):
    p = dict(objective=objective, tree_method="exact", max_depth=6, eta=0.03, subsample=0.8, colsample_bytree=0.8,
             min_child_weight=1.0, seed=seed, nthread=1, verbosity=0)
    p.update(kw)
    return p


def top_weights(labels, weight=5.0, fraction=0.2):
    """top_label_weights() of training_labels.cpp."""
    w = np.ones(len(labels), dtype=np.float32)
    order = sorted(range(len(labels)), key=lambda k: labels[k])
    for r in range(len(labels) - math.ceil(fraction * len(labels) - 1e-9), len(labels)):
        w[order[r]] = weight
    return w


def log_error(labels):
    # pelnas: float label -> double -> -log(100 - acc) -> float
    return (-np.log(100.0 - np.asarray(labels, dtype=np.float32).astype(np.float64))).astype(np.float32)


def fit_regression(D, train, weights, seed, n=600, obj=None, **kw):
    dm = xgb.DMatrix(D.features(train), label=log_error([D.acc[i] for i in train]), missing=np.nan)
    dm.set_weight(np.asarray(weights, dtype=np.float32))
    p = xgb_params(seed=seed, **kw)
    if obj is not None:
        p.pop("objective")
    booster = xgb.train(p, dm, n, obj=obj)
    return lambda idx: 100.0 - np.exp(-booster.predict(xgb.DMatrix(D.features(idx), missing=np.nan)).astype(np.float64))


def fit_group_rank(D, train, group_of, seed, n=600):
    """rank:pairwise with query groups; a group's scores are mapped to its own training labels by quantile
    (so scores of different groups are comparable as accuracies)."""
    tr = sorted(train, key=group_of)
    groups = [group_of(i) for i in tr]
    y = np.array([D.acc[i] for i in tr], dtype=np.float32)
    dm = xgb.DMatrix(D.features(tr), label=y, missing=np.nan)
    dm.set_group([groups.count(g) for g in sorted(set(groups))])
    booster = xgb.train(xgb_params("rank:pairwise", seed=seed), dm, n)
    raw = booster.predict(xgb.DMatrix(D.features(tr), missing=np.nan)).astype(np.float64)
    cal = {g: (np.sort(raw[[k for k in range(len(tr)) if groups[k] == g]]),
               np.sort(y[[k for k in range(len(tr)) if groups[k] == g]]).astype(np.float64)) for g in set(groups)}

    def predict(idx):
        s = booster.predict(xgb.DMatrix(D.features(idx), missing=np.nan)).astype(np.float64)
        out = []
        for i, v in zip(idx, s):
            g = group_of(i)
            if g not in cal:  # no training arch in this group: the nearest group's map
                g = min(cal, key=lambda k: abs(k - g))
            out.append(np.interp(v, *cal[g]))
        return np.array(out)
    return predict


def pairwise_objective(labels, weights, pairs, lam, scale=20.0):
    """Weighted squared error on the log error + lam x a logistic pairwise loss over `pairs` (i better than
    j), per pair lam * n / (2 * #pairs) so that lam is the pairwise share per training arch."""
    y = log_error(labels).astype(np.float64)
    w = np.asarray(weights, dtype=np.float64)
    per_pair = lam * len(y) / (2.0 * max(len(pairs), 1))

    def obj(pred, _):
        g, h = w * (pred - y), w.copy()
        if len(pairs):
            diff = (pred[pairs[:, 0]] - pred[pairs[:, 1]]) * scale
            s = 1.0 / (1.0 + np.exp(diff))
            gp, hp = -scale * s * per_pair, scale * scale * s * (1 - s) * per_pair
            np.add.at(g, pairs[:, 0], gp)
            np.add.at(g, pairs[:, 1], -gp)
            np.add.at(h, pairs[:, 0], hp)
            np.add.at(h, pairs[:, 1], hp)
        return g, h
    return obj


def pairs_within(labels, groups, top_fraction):
    """(better, worse) index pairs inside each group among the archs with the best top_fraction of labels."""
    cut = np.quantile(labels, 1 - top_fraction)
    out = []
    for g in set(groups):
        m = [k for k in range(len(labels)) if groups[k] == g and labels[k] >= cut]
        out += [(a, b) for a in m for b in m if labels[a] > labels[b]]
    return np.array(out, dtype=np.int64).reshape(-1, 2)


def staircase_gap(idx, score, cost):
    """Per arch: score points below the best arch no costlier (0 on the front of idx); inf without a cost."""
    best, gap = -math.inf, {}
    for i in sorted((i for i in idx if i in cost), key=lambda i: (cost[i], -score[i])):
        best = max(best, score[i])
        gap[i] = best - score[i]
    return np.array([gap.get(i, math.inf) for i in idx])


def cost_bands(D, train, device, n):
    c = sorted(D.lat[device][i] for i in train if i in D.lat[device])
    edges = [c[len(c) * k // n] for k in range(1, n)]
    return lambda i: bisect.bisect_right(edges, D.lat[device][i]) if i in D.lat[device] else -1


# Each variant: (description, per_device, make(D, seed, device) -> (predict, training archs)).
def v_default(top_weight=5.0, **kw):
    def make(D, s, d):
        T = D.train1000
        return fit_regression(D, T, top_weights([D.acc[i] for i in T], top_weight), s, **kw), set(T)
    return make


def v_ensemble(k, **kw):
    def make(D, s, d):
        T = D.train1000
        w = top_weights([D.acc[i] for i in T])
        members = [fit_regression(D, T, w, 100 * s + m, **kw) for m in range(k)]
        return (lambda idx: np.mean([f(idx) for f in members], axis=0)), set(T)
    return make


def v_front_weight(gap_max, weight, basis):
    """Training weight x `weight` for archs within gap_max accuracy points of the training set's own front:
    basis 'device' (that device's latency; per-device model), 'any' (of any of the six devices), 'flops'."""
    def make(D, s, d):
        T = D.train1000
        if basis == "device":
            gap = staircase_gap(T, D.acc, D.lat[d])
        elif basis == "any":
            gap = np.min([staircase_gap(T, D.acc, D.lat[dd]) for dd in DEVICES], axis=0)
        else:
            gap = staircase_gap(T, D.acc, D.flops)
        w = top_weights([D.acc[i] for i in T]) * np.where(gap <= gap_max, weight, 1.0)
        return fit_regression(D, T, w, s), set(T)
    return make


def v_group_rank(kind):
    def make(D, s, d):
        T = D.train1000
        g = (lambda i: niche(D.ops[i])) if kind == "niche" else cost_bands(D, T, d, 10)
        return fit_group_rank(D, T, g, s), set(T)
    return make


def v_hybrid(kind, lam):
    def make(D, s, d):
        T = D.train1000
        y = np.array([D.acc[i] for i in T])
        if kind == "niche":
            pairs = pairs_within(y, [niche(D.ops[i]) for i in T], 0.3)
        else:
            band = cost_bands(D, T, d, 20)
            pairs = pairs_within(y, [band(i) for i in T], 0.5)
        w = top_weights(list(y))
        return fit_regression(D, T, w, s, obj=pairwise_objective(y, w, pairs, lam)), set(T)
    return make


def v_extra():
    def make(D, s, d):
        T = D.train1000 + D.extra
        return fit_regression(D, T, top_weights([D.acc[i] for i in T]), s), set(T)
    return make


def v_front_selected(n_uniform, n_front):
    """Labels concentrated near the fronts at a given label budget: a model on the first n_uniform archs
    of the shipped sample predicts the extra archs; the n_front with the smallest predicted gap to the
    predicted front of any device get labels too."""
    def make(D, s, d):
        base = D.ship_order[:n_uniform]
        f = fit_regression(D, base, top_weights([D.acc[i] for i in base]), s)
        pv = dict(zip(D.extra, f(D.extra)))
        gap = np.min([staircase_gap(D.extra, pv, D.lat[dd]) for dd in DEVICES], axis=0)
        chosen = [D.extra[k] for k in sorted(range(len(D.extra)), key=lambda k: (gap[k], D.extra[k]))[:n_front]]
        T = base + chosen
        return fit_regression(D, T, top_weights([D.acc[i] for i in T]), s), set(T)
    return make


VARIANTS = {
    "default": ("default (1,000 shipped archs, log error, top 20 % x5)", False, v_default()),
    "ens5": ("ensemble of 5 boosters", False, v_ensemble(5)),
    "ens10": ("ensemble of 10 boosters", False, v_ensemble(10)),
    "depth8": ("max depth 8", False, v_default(max_depth=8)),
    "depth4": ("max depth 4", False, v_default(max_depth=4)),
    "eta01": ("eta 0.01, 1,800 trees", False, v_default(eta=0.01, n=1800)),
    "colsample05": ("colsample 0.5", False, v_default(colsample_bytree=0.5)),
    "top10": ("top 20 % x10", False, v_default(top_weight=10.0)),
    "top1": ("unweighted", False, v_default(top_weight=1.0)),
    "ens5-depth8": ("ensemble of 5, max depth 8", False, v_ensemble(5, max_depth=8)),
    "rank-niche": ("rank:pairwise, query groups = niches, per-niche calibration", False, v_group_rank("niche")),
    "rank-band": ("rank:pairwise, query groups = 10 cost bands (per device)", True, v_group_rank("band")),
    "hybrid-niche": ("sq. error + 0.01 pairwise within niche (top 30 %)", False, v_hybrid("niche", 0.01)),
    "hybrid-band": ("sq. error + 0.01 pairwise within 20 cost bands (top 50 %; per device)", True,
                    v_hybrid("band", 0.01)),
    "front-device": ("x5 within 0.5 pt of the training front (per device)", True, v_front_weight(0.5, 5.0, "device")),
    "front-device2": ("x5 within 2 pt of the training front (per device)", True, v_front_weight(2.0, 5.0, "device")),
    "front-any": ("x5 within 0.5 pt of the training front of any device", False, v_front_weight(0.5, 5.0, "any")),
    "front-flops": ("x5 within 1 pt of the training front in accuracy vs FLOPs", False, v_front_weight(1.0, 5.0, "flops")),
    "extra": ("+ every cached arch outside the pool (labels concentrated near fronts)", False, v_extra()),
    "select500": ("500 uniform + 500 predicted-front-near labels", False, v_front_selected(500, 500)),
    "select1000": ("1,000 uniform + 1,000 predicted-front-near labels", False, v_front_selected(1000, 1000)),
}


def rank_stats(D, predict, trained):
    held = [i for i in D.pool if i not in trained]
    pv = dict(zip(held, predict(held)))
    top = sorted(held, key=lambda i: -D.acc[i])[: math.ceil(0.2 * len(held))]
    out = [spearmanr([pv[i] for i in held], [D.acc[i] for i in held]).correlation,
           spearmanr([pv[i] for i in top], [D.acc[i] for i in top]).correlation]
    u = [i for i in D.uniform if i not in trained]
    if len(u) < 10:
        return out + [math.nan, math.nan]
    up = predict(u)
    ut = sorted(range(len(u)), key=lambda k: (-D.acc[u[k]], k))[: math.ceil(0.2 * len(u))]
    return out + [spearmanr(up, [D.acc[i] for i in u]).correlation,
                  spearmanr([up[k] for k in ut], [D.acc[u[k]] for k in ut]).correlation]


def pool_front(D, predict, device):
    p = D.protocols[device]
    idx = [i for i in D.pool if i in p.cost]
    pv = predict(idx)
    ans = [idx[k] for k in nondominated([(100.0 - v, p.cost[i]) for i, v in zip(idx, pv)])]
    return p.score([(100.0 - D.acc[i], p.cost[i]) for i in ans])


def evaluate(D, key, seeds):
    desc, per_device, make = VARIANTS[key]
    stats, hv, igd = [], {d: [] for d in DEVICES}, {d: [] for d in DEVICES}
    for s in seeds:
        st = []
        for d in DEVICES if per_device else [None]:
            predict, trained = make(D, s, d)
            st.append(rank_stats(D, predict, trained))
            for dd in [d] if per_device else DEVICES:
                h, g = pool_front(D, predict, dd)
                hv[dd].append(h)
                igd[dd].append(g)
        stats.append(np.nanmean(st, axis=0))
    st = np.mean(stats, axis=0)
    return dict(key=key, name=desc, per_device=per_device, seeds=list(seeds), spearman=st[0], top20=st[1],
                uniform_spearman=st[2], uniform_top20=st[3], hv={d: hv[d] for d in DEVICES}, igd={d: igd[d] for d in DEVICES})


def reference_signals(D, noise_draws=20):
    """What other signals reach over the same pool: the true test accuracy plus Gaussian noise, and the
    table's other trained accuracies of the same archs (section 4e's 'why'); and the default
    predictor's error among the best held-out archs."""
    predict, trained = VARIANTS["default"][2](D, 0, None)
    pv = dict(zip(D.pool, predict(D.pool)))
    for lo in (93.0, 94.0):
        r = [pv[i] - D.acc[i] for i in D.pool if D.acc[i] >= lo and i not in trained]
        print(f"default model (seed 0), held-out pool archs with test accuracy >= {lo:g} %: n {len(r)}, "
              f"error mean {np.mean(r):+.3f}, std {np.std(r):.3f} points")
    top = [i for i in D.pool if D.acc[i] >= 93.0]

    def row(name, value):
        cells = [f"{pool_front(D, lambda idx: np.array([value[i] for i in idx]), d)[0]:.4f}" for d in DEVICES]
        sp = spearmanr([value[i] for i in top], [D.acc[i] for i in top]).correlation
        print(f"| {name} | " + " | ".join(cells) + f" | {sp:.3f} |")
    print("| signal over the pool | " + " | ".join(DEVICES) + " | Spearman among archs >= 93 % |")
    print("|---|" + "---|" * (len(DEVICES) + 1))
    row("default predictor (model seed 0)", pv)
    table = {int(r["index"]): r for r in D.rows}
    for col in ("c10v_test_acc", "c10v_valid_acc", "c10_test_acc_12ep"):
        value = {i: float(table[i][col]) if table[i][col] not in ("", None) else -math.inf for i in D.pool}
        row(f"`{col}`", value)
    rng = np.random.default_rng(0)
    for sigma in (0.1, 0.15, 0.2, 0.3):
        hv = {d: [] for d in DEVICES}
        for _ in range(noise_draws):
            noisy = {i: D.acc[i] + rng.normal(0.0, sigma) for i in D.pool}
            for d in DEVICES:
                hv[d].append(pool_front(D, lambda idx: np.array([noisy[i] for i in idx]), d)[0])
        print(f"| true test accuracy + N(0, {sigma:g}^2), {noise_draws} draws | "
              + " | ".join(f"{statistics.fmean(hv[d]):.4f}" for d in DEVICES) + " | - |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.environ.get("PELNAS_DATA", "/work/shared/data"))
    ap.add_argument("--proxies-table", default=os.path.join(os.path.dirname(__file__), "..", "models", "proxies_cifar10.csv"))
    ap.add_argument("--cache", required=True, help="proxy cache (read only)")
    ap.add_argument("--pool", required=True, help="arch strings, one per line (e.g. predictor_search_analysis.py --write-pool)")
    ap.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated keys: " + ", ".join(VARIANTS))
    ap.add_argument("--seeds", type=int, default=5, help="XGBoost model seeds 0..N-1 per variant")
    ap.add_argument("--json", help="append one JSON line per variant to this file")
    ap.add_argument("--check", metavar="CSV", help="`pelnas predictor predict` output of the default model over the pool")
    ap.add_argument("--reference-signals", action="store_true",
                    help="instead of the variants: noisy true accuracy and the table's other trained accuracies over the pool")
    a = ap.parse_args()
    D = Data(a)
    if a.check:
        predict, _ = VARIANTS["default"][2](D, 0, None)
        with open(a.check) as f:
            rows = list(csv.DictReader(f))
        idx = [D.by_str[r["arch_str"]] for r in rows]
        diff = np.max(np.abs(predict(idx) - np.array([float(r["predicted_accuracy"]) for r in rows])))
        print(f"default model vs {a.check}: {len(idx)} archs, largest difference {diff:.3g} percent points")
        return
    if a.reference_signals:
        reference_signals(D)
        return
    print(f"pool {len(D.pool)} archs; shipped table {len(D.ship_order)}; extra archs with proxies {len(D.extra)}")
    print("| variant | Spearman / top-20 % (pool, held out) | uniform 300: Spearman / top-20 % | "
          + " | ".join(DEVICES) + " |")
    print("|---|---|---|" + "---|" * len(DEVICES))
    for key in a.variants.split(","):
        r = evaluate(D, key, range(a.seeds))
        cells = [f"{statistics.fmean(r['hv'][d]):.4f} +- {statistics.pstdev(r['hv'][d]):.4f} / {statistics.fmean(r['igd'][d]):.3f}"
                 for d in DEVICES]
        print(f"| {r['name']} | {r['spearman']:.4f} / {r['top20']:.3f} | {r['uniform_spearman']:.4f} / "
              f"{r['uniform_top20']:.3f} | " + " | ".join(cells) + " |", flush=True)
        if a.json:
            with open(a.json, "a") as f:
                f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
