#!/usr/bin/env python3
"""Checks measured `host` latencies (pelnas data measure-host) as in the README:
repeatability between two caches measured independently on the same cells, rank correlation with
HW-NAS-Bench raspi4 and pixel3 latencies, FLOPs and params (CIFAR-10, from <data>/nb201_hw.csv),
and the relative interquartile range of the timed runs. Standard library only.

  python3 scripts/host_latency_check.py --data ../shared/data A.sqlite B.sqlite
"""
import argparse
import sqlite3
import statistics
import sys

from table_stats import read_nb201_table, spearman


def load(path, dataset):
    db = sqlite3.connect(path)
    rows = db.execute("SELECT arch_index, fingerprint, median_ms, q1_ms, q3_ms FROM host_latency "
                      "WHERE dataset=? AND threads=1 AND batch=1", (dataset,)).fetchall()
    fps = {r[1] for r in rows}
    if len(fps) != 1:
        sys.exit(f"{path}: expected the values of one machine, found fingerprints {sorted(fps)}")
    return {r[0]: (r[2], r[3], r[4]) for r in rows}, fps.pop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="../shared/data")
    p.add_argument("--dataset", default="cifar10")
    p.add_argument("a")
    p.add_argument("b", nargs="?")
    o = p.parse_args()
    a, fp = load(o.a, o.dataset)
    print(f"machine: {fp}; {len(a)} cells in {o.a}")
    table = read_nb201_table(o.data)
    cells = sorted(a)
    if o.b:
        b, fp_b = load(o.b, o.dataset)
        if fp_b != fp:
            print(f"warning: {o.b} was measured on {fp_b}")
        common = [i for i in cells if i in b]
        rho = spearman([a[i][0] for i in common], [b[i][0] for i in common])
        rel = [abs(a[i][0] - b[i][0]) / a[i][0] for i in common]
        print(f"repeatability: Spearman {rho:.4f} between the two measurements of {len(common)} cells; "
              f"median relative difference {statistics.median(rel) * 100:.1f}%")
    rel_iqr = [(a[i][2] - a[i][1]) / a[i][0] for i in cells]
    print(f"relative IQR of the timed runs: median {statistics.median(rel_iqr) * 100:.1f}%, "
          f"90th percentile {sorted(rel_iqr)[int(0.9 * (len(rel_iqr) - 1))] * 100:.1f}%")
    lat = [a[i][0] for i in cells]
    print(f"latency: median {statistics.median(lat):.2f} ms, min {min(lat):.2f}, max {max(lat):.2f}")
    nondeg = [k for k, i in enumerate(cells) if table[i]["zero_output"] in ("0", "False", "false")]
    for col, label in [("c10_raspi4_latency", "HW-NAS-Bench raspi4 latency"), ("c10_pixel3_latency", "HW-NAS-Bench pixel3 latency"),
                       ("flops_c10", "FLOPs"), ("params_c10", "params")]:
        ks = [k for k in range(len(cells)) if table[cells[k]][col] not in ("", "nan")]
        rho = spearman([lat[k] for k in ks], [float(table[cells[k]][col]) for k in ks])
        ks2 = [k for k in ks if k in set(nondeg)]
        rho2 = spearman([lat[k] for k in ks2], [float(table[cells[k]][col]) for k in ks2])
        print(f"Spearman with {label}: {rho:.4f} ({len(ks)} cells); without degenerate cells {rho2:.4f} ({len(ks2)})")


if __name__ == "__main__":
    main()
