#!/usr/bin/env python3
"""One table of several `pelnas bench` grids side by side: a row per device, a column per
(grid, algorithm), each cell mean +- sample std of the HV ratio over seeds / mean IGD, and the
two-sided Mann-Whitney p of its HV ratios against the cell with the best mean on that row (the
bench report's test: src/metrics/mann_whitney.cpp, as SciPy's mannwhitneyu method="auto").

Usage: scripts/bench_device_table.py [--devices a,b,..] 'LABEL=GRID_DIR:ALGO' ...
  e.g. 'PEL-NAS, predictor=runs/pred:pelnas' 'NSGA-II, table:valid=runs/valid:nsga2'
A GRID_DIR may be repeated across columns and a column may list several dirs joined by '+'
(their runs of that algorithm are pooled; a (device, seed) found twice must agree).
--unranked LABEL shows a column without p and never as the best (e.g. an oracle upper bound).
A cell with other than 10 seeds says how many.
"""
import argparse
import csv
import math
import os
import statistics
import sys


def u_distribution(n1, n2):
    prev = [[1.0] for _ in range(n2 + 1)]
    for m in range(1, n1 + 1):
        cur = [[1.0]]
        for n in range(1, n2 + 1):
            f = [0.0] * (m * n + 1)
            for u, v in enumerate(prev[n]):
                f[u + n] += v
            for u, v in enumerate(cur[n - 1]):
                f[u] += v
            cur.append(f)
        prev = cur
    f = prev[n2]
    total = sum(f)
    return [v / total for v in f]


def exact_sf(u, n1, n2):
    f = u_distribution(n1, n2)
    if u <= 0:
        return 1.0
    return min(1.0, sum(f[u:]))


def mann_whitney_p(x, y):
    n1, n2 = len(x), len(y)
    n = n1 + n2
    pooled = sorted([(v, 0) for v in x] + [(v, 1) for v in y], key=lambda p: p[0])
    r1 = tie = 0.0
    i = 0
    while i < n:
        j = i
        while j < n and pooled[j][0] == pooled[i][0]:
            j += 1
        rank = (i + 1 + j) / 2.0
        t = j - i
        tie += t * t * t - t
        r1 += sum(rank for k in range(i, j) if pooled[k][1] == 0)
        i = j
    u1 = r1 - n1 * (n1 + 1) / 2.0
    u = max(u1, n1 * n2 - u1)
    if not (n1 > 8 and n2 > 8) and tie == 0:
        return min(1.0, 2.0 * exact_sf(int(round(u)), n1, n2))
    mu = n1 * n2 / 2.0
    s = math.sqrt(n1 * n2 / 12.0 * ((n + 1) - tie / (n * (n - 1))))
    return min(1.0, 2.0 * 0.5 * math.erfc(((u - mu - 0.5) / s) / math.sqrt(2.0))) if s > 0 else 1.0


def read_runs(dirs, algo):
    runs = {}  # (device, seed) -> (hv_ratio, igd)
    for d in dirs:
        path = os.path.join(d, "results.csv")
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                if row["algo"] != algo:
                    continue
                key = (row["device"], int(row["seed"]))
                val = (float(row["hv_ratio"]), float(row["igd"]))
                if key in runs and abs(runs[key][0] - val[0]) > 1e-12:
                    sys.exit(f"{path}: {key} has HV ratio {val[0]}, another grid {runs[key][0]}")
                runs[key] = val
    return runs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devices", default="edgegpu,raspi4,edgetpu,pixel3,eyeriss,fpga")
    ap.add_argument("--unranked", action="append", default=[], metavar="LABEL")
    ap.add_argument("columns", nargs="+")
    a = ap.parse_args()
    cols = []
    for c in a.columns:
        label, _, spec = c.partition("=")
        dirs, _, algo = spec.rpartition(":")
        if not label or not dirs or not algo:
            sys.exit(f"column '{c}': expected LABEL=GRID_DIR:ALGO")
        cols.append((label, read_runs(dirs.split("+"), algo)))
    print("| device | " + " | ".join(label for label, _ in cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for dev in a.devices.split(","):
        cells = []
        for _, runs in cols:
            v = [runs[k] for k in sorted(runs) if k[0] == dev]
            cells.append(([x[0] for x in v], [x[1] for x in v]))
        means = [statistics.mean(h) if h and cols[i][0] not in a.unranked else -1 for i, (h, _) in enumerate(cells)]
        best = max(range(len(cells)), key=lambda i: means[i])
        out = []
        for i, (h, g) in enumerate(cells):
            if not h:
                out.append("not run")
                continue
            sd = statistics.stdev(h) if len(h) > 1 else float("nan")
            if cols[i][0] in a.unranked:
                p = ""
            else:
                p = " (best)" if i == best else f" (p={mann_whitney_p(h, cells[best][0]):.2g})"
            seeds = "" if len(h) == 10 else f" [{len(h)} seeds]"
            out.append(f"{statistics.mean(h):.4f} +- {sd:.4f} / {statistics.mean(g):.4f}{p}{seeds}")
        print(f"| {dev} | " + " | ".join(out) + " |")


if __name__ == "__main__":
    main()
