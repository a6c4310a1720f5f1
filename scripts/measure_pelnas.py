#!/usr/bin/env python3
"""HV ratio / IGD of `pelnas search` over seeds and devices (issue 4 measurements).

usage: scripts/measure_pelnas.py PELNAS_BINARY [--seeds 10] [--devices fpga,eyeriss,raspi4,pixel3] [extra search flags...]
Prints mean +- std per device; run directories go to a temporary folder."""
import json, statistics, subprocess, sys, tempfile, os

def main():
    args = sys.argv[1:]
    binary = args.pop(0)
    seeds, devices, extra = 10, ["fpga", "eyeriss", "raspi4", "pixel3"], []
    while args:
        a = args.pop(0)
        if a == "--seeds": seeds = int(args.pop(0))
        elif a == "--devices": devices = args.pop(0).split(",")
        else: extra.append(a)
    tmp = tempfile.mkdtemp(prefix="pelnas_measure_")
    print(f"flags: {' '.join(extra) or '(defaults)'}")
    for dev in devices:
        hv, igd, ev = [], [], []
        for s in range(seeds):
            out = os.path.join(tmp, f"{dev}-{s}")
            r = subprocess.run([binary, "search", "--device", dev, "--seed", str(s), "--out", out, "--json", *extra],
                               capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"pelnas failed: {r.stderr}")
            j = json.loads(r.stdout)
            hv.append(j["hv_ratio"]); igd.append(j["igd"]); ev.append(j["evaluations"])
        sd = lambda x: statistics.stdev(x) if len(x) > 1 else 0.0
        print(f"{dev:8s} evals {statistics.mean(ev):6.1f}  HV ratio {statistics.mean(hv):.4f} +- {sd(hv):.4f} (min {min(hv):.4f})"
              f"  IGD {statistics.mean(igd):.4f} +- {sd(igd):.4f} (max {max(igd):.4f})")

main()
