#!/usr/bin/env python3
"""Which rank-combination of zero-cost proxies best predicts NB201 accuracy (issue 11: the
training-free score for spaces without accuracies, e.g. FBNet). Standard library only.

Score of a combination S = sum over proxies p in S of rank_p(arch) (average ranks, higher proxy =
higher rank). Protocol: the combination is chosen on the first 1000 rows of models/proxies_cifar10.csv
(the predictor's training rows) against cifar10-valid 200-epoch validation accuracy (the search
signal), then scored, unchanged, on the 300 held-out cifar10 rows and on all 1300 rows of cifar100
and ImageNet16-120 (200-epoch test accuracy: their validation accuracies are not shipped). Zero-output
cells (about 2 %, all at chance accuracy) are excluded, since FBNet has none.

usage: scripts/proxy_rank_combination.py [DATA_DIR] [MAX_SIZE]
"""
import csv
import itertools
import os
import sys

from table_stats import ranks, read_nb201_table, spearman

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "shared", "data")
MAX_SIZE = int(sys.argv[2]) if len(sys.argv) > 2 else 4
PROXIES = ["epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov", "l2_norm", "nwot", "params", "plain",
           "snip", "synflow", "zen"]
ACC = {"cifar10": "c10v_valid_acc", "cifar100": "c100_test_acc", "ImageNet16-120": "in16_test_acc"}


def load(dataset):
    table = read_nb201_table(DATA)
    rows = []
    with open(os.path.join(HERE, "..", "models", f"proxies_{dataset}.csv")) as f:
        for position, row in enumerate(csv.DictReader(f)):
            t = table[int(row["index"])]
            if t["zero_output"] == "1" or any(row[p] == "" for p in PROXIES):
                continue
            rows.append(({p: float(row[p]) for p in PROXIES}, float(t[ACC[dataset]]), position))
    return rows


def score(rows, combo, rank_cache):
    key = id(rows)
    if key not in rank_cache:
        rank_cache[key] = {p: ranks([r[0][p] for r in rows]) for p in PROXIES}
    rk = rank_cache[key]
    s = [sum(rk[p][i] for p in combo) for i in range(len(rows))]
    return spearman(s, [r[1] for r in rows])


def main():
    data = {d: load(d) for d in ACC}
    c10 = data["cifar10"]
    train = [r for r in c10 if r[2] < 1000]  # row position in the table
    held = [r for r in c10 if r[2] >= 1000]
    cache = {}
    results = []
    for k in range(1, MAX_SIZE + 1):
        for combo in itertools.combinations(PROXIES, k):
            results.append((score(train, combo, cache), combo))
    results.sort(reverse=True)
    print(f"rows (zero-output excluded): cifar10 train {len(train)}, held-out {len(held)}, "
          f"cifar100 {len(data['cifar100'])}, ImageNet16-120 {len(data['ImageNet16-120'])}")
    print("combination | c10 train | c10 held-out | c100 | in16")
    def line(combo, tag=""):
        vals = [score(train, combo, cache), score(held, combo, cache), score(data["cifar100"], combo, cache),
                score(data["ImageNet16-120"], combo, cache)]
        print(f"{'+'.join(combo)}{tag} | " + " | ".join(f"{v:.3f}" for v in vals))
    for s, combo in results[:8]:
        line(combo)
    print("-- single proxies")
    for p in sorted(PROXIES, key=lambda p: -score(train, (p,), cache)):
        line((p,))
    print("-- best without flops/params (cost-free accuracy signal)")
    best_free = [c for s, c in results if "flops" not in c and "params" not in c][:3]
    for c in best_free:
        line(c)


if __name__ == "__main__":
    main()
