#!/usr/bin/env python3
"""Ask/tell overhead per candidate, from Python.

Protocol: the same search (algorithm, budget, seed) is run twice, interleaved, `--repeats` times:
  table: nothing told - the C++ search looks the values up itself (ask() just waits for the end);
  told:  the accuracy (--told-cost: and the cost) told from Python (values from a dict prepared beforehand, so the
         evaluator costs nothing); every candidate goes ask() -> Python -> tell().
overhead per candidate = (median told time - median table time) / candidates. Both include
loading data and the true front; the difference is what ask/tell adds (thread hand-off, Python
objects, the tell journal's write and one fdatasync per batch).

  PYTHONPATH=build/python python3 python/bench/ask_tell_bench.py [--algorithm random] [--budget 3000]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

import pelnas


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--algorithm", default="random")
    p.add_argument("--budget", type=int, default=3000)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=100, help="random search batch size")
    p.add_argument("--told-cost", action="store_true",
                   help="tell the cost too (then the told run is not scored against the true front, the table run is)")
    a = p.parse_args()
    extra = {"batch_size": a.batch_size} if a.algorithm == "random" else {}
    # The told values: the tables' own (validation accuracy, FPGA latency) of every searchable
    # cell, looked up beforehand, so told and table runs make the same search. By default only the
    # accuracy is told (cost = the fpga table), so both runs also do the same scoring work.
    ref_dir = tempfile.mkdtemp(prefix="pelnas-bench-")
    every = pelnas.search(algorithm="random", device="fpga", budget=15284, batch_size=1000,
                          out=os.path.join(ref_dir, "every"))
    values = {arch: (float(acc), float(cost)) for arch, acc, cost in
              zip(every.archive["arch"], every.archive["seen_accuracy"], every.archive["cost"])}
    told_cost = a.told_cost
    if told_cost and a.algorithm == "pelnas":
        p.error("--told-cost: PEL-NAS's evolution operator screens children by their table cost, so a told cost changes the search")

    def table(out):
        t = time.perf_counter()
        s = pelnas.Study(algorithm=a.algorithm, budget=a.budget, accuracy="valid", cost="fpga", out=out, **extra)
        assert s.ask() == []  # nothing told: waits for the end of the search
        s.close()
        return time.perf_counter() - t

    def told(out):
        t = time.perf_counter()
        s = pelnas.Study(algorithm=a.algorithm, budget=a.budget, cost="tell" if told_cost else "fpga", out=out, **extra)
        n = 0
        while True:
            batch = s.ask()
            if not batch:
                break
            for c in batch:
                v = values[c.arch]
                s.tell(c.id, v if told_cost else v[0])
                n += 1
        s.close()
        assert n == a.budget, n
        return time.perf_counter() - t, out

    times = {"table": [], "told": []}
    for r in range(a.repeats):
        times["table"].append(table(os.path.join(ref_dir, f"table{r}")))
        elapsed, out = told(os.path.join(ref_dir, f"told{r}"))
        times["told"].append(elapsed)
        same = list(pelnas.read_run(out).archive["arch"]) == list(pelnas.read_run(os.path.join(ref_dir, f"table{r}")).archive["arch"])
        assert same, "the told run searched differently from the table run"
    mt, mo = statistics.median(times["table"]), statistics.median(times["told"])
    load = os.getloadavg()
    print(f"algorithm {a.algorithm}, budget {a.budget} candidates, {a.repeats} interleaved repeats, "
          f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"table (nothing told): median {mt * 1e3:.1f} ms  (runs: {', '.join(f'{x * 1e3:.0f}' for x in times['table'])})")
    print(f"told from Python:     median {mo * 1e3:.1f} ms  (runs: {', '.join(f'{x * 1e3:.0f}' for x in times['told'])})")
    print(f"ask/tell overhead: {(mo - mt) / a.budget * 1e6:.1f} us per candidate "
          f"(told total {mo / a.budget * 1e6:.1f} us per candidate)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
