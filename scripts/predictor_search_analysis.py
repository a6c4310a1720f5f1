#!/usr/bin/env python3
"""Where a predicted-accuracy search loses hypervolume: exploration or selection.

Reads one or more `pelnas bench` output directories (archives.csv, fronts.csv, results.csv) and the
benchmark table, recomputes the protocol (true front over the searchable space, degenerate cells
out; objectives normalised by the true front's ideal and nadir; HV reference (1, 1); IGD to the
found front) and prints per (signal, device, algorithm):

  hv / igd         the run's answer (its front by the accuracy it saw), re-scored on test accuracy;
                   must equal results.csv (checked, to 1e-9)
  reselect_hv      the true-test front of the same evaluated archs: what the run would have answered
                   had it known the test accuracy of what it evaluated (its exploration ceiling)
  pooled_hv        (predictor runs) the front by predicted accuracy of every arch any predictor run
                   of the grid(s) evaluated, on any device (predictions do not depend on the device):
                   an exhaustive search on the predictor restricted to those archs
  pooled_oracle_hv the true-test front of the same pool

Usage: scripts/predictor_search_analysis.py [--data DIR] GRID_DIR [GRID_DIR ...]
"""
import argparse
import csv
import json
import math
import os
import statistics
import sys
from collections import defaultdict

from table_stats import read_nb201_table, spearman


def sig10(x):
    return float(f"{x:.10g}")


def nondominated(points):
    """Indices of points (error, cost) not dominated by another (both minimised), on values rounded
    to 10 significant digits; ties on both are all kept."""
    r = [(sig10(e), sig10(c)) for e, c in points]
    order = sorted(range(len(points)), key=lambda i: (r[i][1], r[i][0]))
    keep = []
    best_err = math.inf
    i = 0
    while i < len(order):
        # group equal costs
        j = i
        c = r[order[i]][1]
        while j < len(order) and r[order[j]][1] == c:
            j += 1
        group = order[i:j]
        gmin = min(r[k][0] for k in group)
        if gmin < best_err:
            keep += [k for k in group if r[k][0] == gmin]
            best_err = gmin
        i = j
    return keep


def hv2d(points, ref=(1.0, 1.0)):
    # Staircase over cost: area dominated by the set and bounded by ref.
    pts = sorted((p for p in points if p[0] < ref[0] and p[1] < ref[1]), key=lambda p: p[1])
    hv, best = 0.0, ref[0]
    for k in range(len(pts)):
        best = min(best, pts[k][0])
        nxt = pts[k + 1][1] if k + 1 < len(pts) else ref[1]
        hv += (ref[0] - best) * (nxt - pts[k][1])
    return hv


class Protocol:
    def __init__(self, table, device):
        col = f"c10_{device}_latency"
        self.cost = {}
        pts, idx = [], []
        for row in table:
            if row["zero_output"] == "1" or row[col] in ("", None):
                continue
            c = float(row[col])
            if c <= 0:
                continue
            i = int(row["index"])
            self.cost[i] = c
            pts.append((100.0 - float(row["c10_test_acc"]), c))
            idx.append(i)
        front = [pts[k] for k in nondominated(pts)]
        self.ideal = (min(p[0] for p in front), min(p[1] for p in front))
        self.nadir = (max(p[0] for p in front), max(p[1] for p in front))
        self.range = tuple(n - i if n > i else 1.0 for n, i in zip(self.nadir, self.ideal))
        distinct = sorted({(sig10(e), sig10(c)): (e, c) for e, c in front}.values())  # ties listed once
        self.true_points = [self.norm(p) for p in distinct]
        self.true_hv = hv2d(self.true_points)

    def norm(self, p):
        return ((p[0] - self.ideal[0]) / self.range[0], (p[1] - self.ideal[1]) / self.range[1])

    def score(self, error_cost):
        n = [self.norm(p) for p in error_cost]
        front = [n[k] for k in nondominated(n)]
        hv = hv2d(n)
        igd = statistics.fmean(min(math.dist(a, z) for a in front) for z in self.true_points)
        return hv / self.true_hv, igd


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.environ.get("PELNAS_DATA", "/work/shared/data"))
    ap.add_argument("--predictions", action="append", default=[], metavar="NAME=CSV",
                    help="another predictor's accuracies of the pooled archs (`pelnas predictor predict` output): "
                         "re-select every predictor run's archive and the pool by them")
    ap.add_argument("--write-pool", metavar="FILE", help="write the pooled arch strings (input of predictor predict)")
    ap.add_argument("--train-indices", metavar="MODEL_JSON", action="append", default=[],
                    help="model .meta.json files whose training archs are left out of the rank statistics")
    ap.add_argument("grids", nargs="+")
    a = ap.parse_args()
    table = list(read_nb201_table(a.data).values())
    test_acc = {int(r["index"]): float(r["c10_test_acc"]) for r in table}
    protocols = {}

    def protocol(device):
        if device not in protocols:
            protocols[device] = Protocol(table, device)
        return protocols[device]

    runs = defaultdict(list)  # (signal, device, algo, seed) -> [(index, seen)]
    answers = {}  # run key -> [index] (fronts.csv)
    reported = {}  # run key -> (hv_ratio, igd)
    pool = {}  # index -> predicted accuracy (predictor runs, any device)
    arch_str = {}
    for g in a.grids:
        with open(os.path.join(g, "summary.json")) as f:
            summ = json.load(f)
        signal = summ["settings"][0]["accuracy_signal"]
        for st in summ["settings"]:  # our protocol must be the grid's
            p = protocol(st["device"])
            if abs(p.true_hv - st["true_front_hv"]) > 1e-9 or any(abs(x - y) > 1e-9 for x, y in zip(p.ideal, st["ideal"])):
                sys.exit(f"{g}: {st['device']}: recomputed true front differs from summary.json")
        with open(os.path.join(g, "results.csv")) as f:
            for r in csv.DictReader(f):
                key = (signal, r["device"], r["algo"], int(r["seed"]))
                reported[key] = (float(r["hv_ratio"]), float(r["igd"]))
        with open(os.path.join(g, "archives.csv")) as f:
            for r in csv.DictReader(f):
                key = (signal, r["device"], r["algo"], int(r["seed"]))
                runs[key].append((int(r["index"]), float(r["seen_accuracy"])))
                arch_str[int(r["index"])] = r["arch_str"]
                if signal == "predictor":
                    pool[int(r["index"])] = float(r["seen_accuracy"])
        with open(os.path.join(g, "fronts.csv")) as f:
            for r in csv.DictReader(f):
                key = (signal, r["device"], r["algo"], int(r["seed"]))
                answers.setdefault(key, []).append(int(r["index"]))

    cells = defaultdict(lambda: defaultdict(list))
    for key, archive in sorted(runs.items()):
        signal, device, algo, seed = key
        p = protocol(device)
        ans = answers[key]
        hv, igd = p.score([(100.0 - test_acc[i], p.cost[i]) for i in ans])
        rhv, rigd = reported[key]
        if abs(hv - rhv) > 1e-6:  # IGD: results.csv is quoted (found-front ties may differ by ~1e-3 here)
            print(f"warning: {key}: recomputed hv {hv:.6f} igd {igd:.6f} vs results.csv {rhv:.6f} {rigd:.6f}",
                  file=sys.stderr)
        re_hv, re_igd = p.score([(100.0 - test_acc[i], p.cost[i]) for i, _ in archive])
        c = cells[(signal, device, algo)]
        c["hv"].append(rhv)
        c["igd"].append(rigd)
        c["reselect_hv"].append(re_hv)
        c["reselect_igd"].append(re_igd)
        c["evals"].append(len(archive))

    print("| signal | device | algo | seeds | evals | HV ratio | IGD | re-selected on test: HV ratio | IGD |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (signal, device, algo), c in sorted(cells.items()):
        sd = lambda v: statistics.stdev(v) if len(v) > 1 else 0.0
        print(f"| {signal} | {device} | {algo} | {len(c['hv'])} | {statistics.fmean(c['evals']):.0f} | "
              f"{statistics.fmean(c['hv']):.4f} ± {sd(c['hv']):.4f} | {statistics.fmean(c['igd']):.4f} | "
              f"{statistics.fmean(c['reselect_hv']):.4f} | {statistics.fmean(c['reselect_igd']):.4f} |")

    if pool:
        print()
        print(f"pooled predictor archs (evaluated by any predictor run, any device): {len(pool)}")
        print("| device | pooled archs in domain | exhaustive on predictor over the pool: HV ratio | IGD | "
              "true front of the pool: HV ratio | IGD |")
        print("|---|---|---|---|---|---|")
        for device in sorted({k[1] for k in runs}):
            p = protocol(device)
            idx = [i for i in pool if i in p.cost]
            seen = [(100.0 - pool[i], p.cost[i]) for i in idx]
            ans = [idx[k] for k in nondominated(seen)]
            hv, igd = p.score([(100.0 - test_acc[i], p.cost[i]) for i in ans])
            ohv, oigd = p.score([(100.0 - test_acc[i], p.cost[i]) for i in idx])
            print(f"| {device} | {len(idx)} | {hv:.4f} | {igd:.4f} | {ohv:.4f} | {oigd:.4f} |")

    if a.write_pool:
        with open(a.write_pool, "w") as f:
            for i in sorted(pool):
                f.write(arch_str[i] + "\n")

    if not a.predictions:
        return
    trained = set()
    for m in a.train_indices:
        with open(m) as f:
            trained |= set(json.load(f)["train_indices"])
    print()
    print("predictors: each re-selects every predictor run's archive, and the pool (every arch its CSV "
          "predicts) exhaustively; rank statistics over the pool's archs outside every listed model's "
          "training sample")
    devices = sorted({k[1] for k in runs if k[0] == "predictor"})
    print(f"devices: {' / '.join(devices)}")
    print("| predictor | pool (held out) | Spearman | top-20 % Spearman | re-selected archives: HV ratio | "
          "exhaustive over the pool: HV ratio |")
    print("|---|---|---|---|---|---|")
    variants = []
    for spec in a.predictions:
        name, path = spec.split("=", 1)
        with open(path) as f:
            variants.append((name, {int(r["index"]): float(r["predicted_accuracy"]) for r in csv.DictReader(f)}))
    for name, pred in variants:
        held = [i for i in pred if i not in trained]
        sp = spearman([pred[i] for i in held], [test_acc[i] for i in held])
        top = sorted(held, key=lambda i: -test_acc[i])[: math.ceil(0.2 * len(held))]
        sp20 = spearman([pred[i] for i in top], [test_acc[i] for i in top])
        per_dev, pooled = [], []
        for device in devices:
            p = protocol(device)
            hvs = []
            for key, archive in runs.items():
                if key[0] != "predictor" or key[1] != device:
                    continue
                idx = [i for i, _ in archive if i in pred]
                seen = [(100.0 - pred[i], p.cost[i]) for i in idx]
                ans = [idx[k] for k in nondominated(seen)]
                hvs.append(p.score([(100.0 - test_acc[i], p.cost[i]) for i in ans])[0])
            per_dev.append(f"{statistics.fmean(hvs):.4f}" if hvs else "-")
            idx = [i for i in pred if i in p.cost]
            ans = [idx[k] for k in nondominated([(100.0 - pred[i], p.cost[i]) for i in idx])]
            pooled.append(f"{p.score([(100.0 - test_acc[i], p.cost[i]) for i in ans])[0]:.4f}")
        print(f"| {name} | {len(pred)} ({len(held)} held out) | {sp:.4f} | {sp20:.4f} | {' / '.join(per_dev)} | "
              f"{' / '.join(pooled)} |")


if __name__ == "__main__":
    main()
