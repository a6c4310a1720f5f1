"""The NB201 table and rank statistics, shared by the analysis scripts in scripts/ (standard library
only; the scripts import it from their own folder)."""
import csv
import math
import os
import statistics


def read_nb201_table(data_dir):
    """The rows of <data_dir>/nb201_hw.csv (dicts of strings, columns as in the data README) by NB201
    index, in file order."""
    with open(os.path.join(data_dir, "nb201_hw.csv"), newline="") as f:
        return {int(row["index"]): row for row in csv.DictReader(f)}


def ranks(xs):
    """1-based ranks of xs; tied values share their average rank."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    r = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2.0 + 1
        i = j + 1
    return r


def pearson(a, b):
    ma, mb = statistics.fmean(a), statistics.fmean(b)
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    saa = sum((x - ma) ** 2 for x in a)
    sbb = sum((y - mb) ** 2 for y in b)
    return sab / math.sqrt(saa * sbb)


def spearman(a, b):
    """Spearman's rank correlation (Pearson's of the average ranks)."""
    return pearson(ranks(a), ranks(b))
