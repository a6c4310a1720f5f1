#!/usr/bin/env python3
"""Generates the small HW-NAS-Bench-shaped pickle fixtures in tests/fixtures/hwnasbench/.

Python 3 standard library only (no NumPy needed), following ../shared/docs/HWNASBENCH_PICKLE.md §5.
The fixtures are committed; run this script only to regenerate them (never at build time):

    python3 scripts/make_pickle_fixtures.py [--data ../shared/data] [--out tests/fixtures/hwnasbench]

Content (5 architectures, NB201 indices 0..4, per dataset):
  * arch strings: the real ones of indices 0..4 from nb201_hw.csv;
  * indices 0..2, all 3 datasets: the published HW-NAS-Bench values (nb201_hwnasbench_reference_points.csv);
  * indices 3..4, cifar10: the real values from nb201_hw.csv (c10_* columns);
  * indices 3..4, cifar100 / ImageNet16-120: SYNTHETIC, cifar10 value * 1.5 / * 0.5 (not real data),
    except two planted missing markers: cifar100 index 3 edgetpu_latency = -1.0 and
    ImageNet16-120 index 4 raspi4_latency = 0.0 (both must import as missing);
  * fbnet: 3 real op keys from fbnet_hw_lut.csv, 8 metrics.
"""
import argparse
import csv
import io
import os
import pickle
import pickletools
import struct
import sys
import types

METRICS = ["edgegpu_latency", "edgegpu_energy", "raspi4_latency", "edgetpu_latency", "pixel3_latency",
           "eyeriss_latency", "eyeriss_energy", "eyeriss_arithmetic_intensity", "fpga_latency", "fpga_energy"]
FBNET_METRICS = ["edgegpu_latency", "edgegpu_energy", "raspi4_latency", "pixel3_latency",
                 "eyeriss_latency", "eyeriss_energy", "fpga_latency", "fpga_energy"]
DATASETS = [("cifar10", 10), ("cifar100", 100), ("ImageNet16-120", 120)]
N = 5
SYNTHETIC_FACTOR = {"cifar100": 1.5, "ImageNet16-120": 0.5}
PLANTED_MISSING = {("cifar100", 3, "edgetpu_latency"): -1.0, ("ImageNet16-120", 4, "raspi4_latency"): 0.0}


def load_values(data_dir):
    """values[dataset][metric] = list of N floats; arch strings of indices 0..N-1."""
    with open(os.path.join(data_dir, "nb201_hw.csv"), newline="") as f:
        rows = [r for _, r in zip(range(N), csv.DictReader(f))]
    arch = [r["arch_str"] for r in rows]
    assert [int(r["index"]) for r in rows] == list(range(N))
    ref = {}
    with open(os.path.join(data_dir, "nb201_hwnasbench_reference_points.csv"), newline="") as f:
        for r in csv.DictReader(f):
            ref[(r["dataset"], int(r["index"]))] = {m: float(r[m]) for m in METRICS}
    values = {}
    for ds, _ in DATASETS:
        values[ds] = {}
        for m in METRICS:
            col = []
            for i in range(N):
                if (ds, i) in ref:
                    v = ref[(ds, i)][m]
                else:
                    c10 = float(rows[i]["c10_" + m])
                    v = c10 if ds == "cifar10" else c10 * SYNTHETIC_FACTOR[ds]
                v = PLANTED_MISSING.get((ds, i, m), v)
                col.append(v)
            values[ds][m] = col
    with open(os.path.join(data_dir, "fbnet_hw_lut.csv"), newline="") as f:
        lut = [r for _, r in zip(range(3), csv.DictReader(f))]
    fbnet = {m: {r["op_key"]: float(r[m]) for r in lut} for m in FBNET_METRICS}
    return arch, values, fbnet


def build_tree(arch, values, fbnet, wrap):
    """The §2 object tree; `wrap(list_of_floats)` builds each metric container."""
    nb = {}
    for ds, classes in DATASETS:
        d = {"config": [{"name": "infer.tiny", "C": 16, "N": 5, "arch_str": a, "num_classes": classes} for a in arch]}
        for m in METRICS:
            d[m] = wrap(values[ds][m])
        nb[ds] = d
    return {"nasbench201": nb, "fbnet": fbnet}


# ---- NumPy stand-ins (pickled under the real NumPy names, so NumPy itself would load them) ----
def install_numpy_standins():
    numpy = types.ModuleType("numpy")
    core = types.ModuleType("numpy.core")
    multiarray = types.ModuleType("numpy.core.multiarray")
    numeric = types.ModuleType("numpy.core.numeric")

    class ndarray:  # noqa: N801 (NumPy's name)
        def __init__(self, vals, dt):
            self.vals, self.dt = list(vals), dt

        def __reduce_ex__(self, protocol):
            raw = struct.pack("<%dd" % len(self.vals), *self.vals)
            if protocol >= 5:
                return (numeric._frombuffer, (bytearray(raw), self.dt, (len(self.vals),), "C"))
            return (multiarray._reconstruct, (ndarray, (0,), b"b"), (1, (len(self.vals),), self.dt, False, raw))

    class dtype:  # noqa: N801
        def __init__(self, descr):
            self.descr = descr

        def __reduce__(self):
            return (dtype, (self.descr, 0, 1), (3, "<", None, None, None, -1, -1, 0))

    class float64:  # noqa: N801 (a numpy scalar)
        def __init__(self, v, dt):
            self.v, self.dt = v, dt

        def __reduce__(self):
            return (multiarray.scalar, (self.dt, struct.pack("<d", self.v)))

    def _reconstruct(*args):
        raise RuntimeError("stand-in only")

    def scalar(*args):
        raise RuntimeError("stand-in only")

    def _frombuffer(*args):
        raise RuntimeError("stand-in only")

    for obj, mod in ((ndarray, "numpy"), (dtype, "numpy"), (_reconstruct, "numpy.core.multiarray"),
                     (scalar, "numpy.core.multiarray"), (_frombuffer, "numpy.core.numeric")):
        obj.__module__ = mod
        obj.__qualname__ = obj.__name__
    numpy.ndarray, numpy.dtype, numpy.core = ndarray, dtype, core
    core.multiarray, core.numeric = multiarray, numeric
    multiarray._reconstruct, multiarray.scalar = _reconstruct, scalar
    numeric._frombuffer = _frombuffer
    sys.modules.update({"numpy": numpy, "numpy.core": core, "numpy.core.multiarray": multiarray,
                        "numpy.core.numeric": numeric})
    return ndarray, dtype, float64


# ---- hand-assembled streams ----
def sbu(s):  # SHORT_BINUNICODE
    b = s.encode()
    return b"\x8c" + bytes([len(b)]) + b


def hand_os_system():
    # PROTO 2; GLOBAL 'os system'; BINUNICODE 'echo pwned'; TUPLE1; REDUCE; STOP
    arg = b"echo pwned"
    return b"\x80\x02" + b"cos\nsystem\n" + b"X" + struct.pack("<I", len(arg)) + arg + b"\x85R."


def hand_codecs_bytes():
    # Protocol 2 bytes path written by hand: {'raw': _codecs.encode('\x00\xff\xe9A', 'latin1'), 'x': 1.5}
    text = "\x00\xff\xe9A".encode("utf-8")
    return (b"\x80\x02}q\x00(" + b"X\x03\x00\x00\x00raw" + b"c_codecs\nencode\n" +
            b"X" + struct.pack("<I", len(text)) + text + b"X\x06\x00\x00\x00latin1" + b"\x86R" +
            b"X\x01\x00\x00\x00x" + b"G" + struct.pack(">d", 1.5) + b"u.")


def hand_unknown_opcode():
    return b"\x80\x04}\xff."


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(here, "..", "tests", "fixtures", "hwnasbench"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    arch, values, fbnet = load_values(args.data)
    files = {}

    plain = build_tree(arch, values, fbnet, list)
    for p in (2, 3, 4, 5):
        files["plain_p%d.pickle" % p] = pickle.dumps(plain, protocol=p)

    ndarray, dtype, float64 = install_numpy_standins()
    f8 = dtype("f8")  # one shared dtype object: later uses are memo references (BINGET)
    arr = build_tree(arch, values, fbnet, lambda v: ndarray(v, f8))
    for p in (2, 3, 4, 5):
        files["numpy_ndarray_p%d.pickle" % p] = pickle.dumps(arr, protocol=p)
    scal = build_tree(arch, values, fbnet, lambda v: [float64(x, f8) for x in v])
    for p in (2, 4):
        files["numpy_scalars_p%d.pickle" % p] = pickle.dumps(scal, protocol=p)

    # Negative fixtures.
    good = files["plain_p4.pickle"]
    files["bad_truncated.pickle"] = good[: len(good) // 2]
    files["bad_os_system.pickle"] = hand_os_system()
    files["bad_unknown_opcode.pickle"] = hand_unknown_opcode()
    wrong_len = build_tree(arch, values, fbnet, list)
    wrong_len["nasbench201"]["cifar100"]["fpga_energy"] = wrong_len["nasbench201"]["cifar100"]["fpga_energy"][:4]
    files["bad_wrong_length.pickle"] = pickle.dumps(wrong_len, protocol=4)
    no_ds = build_tree(arch, values, fbnet, list)
    del no_ds["nasbench201"]["cifar100"]
    files["bad_missing_dataset.pickle"] = pickle.dumps(no_ds, protocol=4)
    wrong_arch = build_tree(arch, values, fbnet, list)
    wrong_arch["nasbench201"]["ImageNet16-120"]["config"][2]["arch_str"] = arch[3]
    files["bad_wrong_arch.pickle"] = pickle.dumps(wrong_arch, protocol=3)
    # Hand-assembled protocol-2 bytes via _codecs.encode (a positive reader test, not a benchmark file).
    files["codecs_bytes_p2.pickle"] = hand_codecs_bytes()

    for name, data in sorted(files.items()):
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(data)
        if not name.startswith("bad_"):
            out = io.StringIO()
            pickletools.dis(data, out=out)
            with open(os.path.join(args.out, name[: -len(".pickle")] + ".dis.txt"), "w") as f:
                f.write(out.getvalue())
        print("%-32s %6d bytes" % (name, len(data)))

    # Expected values (the same the C++ tests compare against), as a CSV in the importer's format.
    with open(os.path.join(args.out, "expected.csv"), "w") as f:
        f.write("index,dataset," + ",".join(METRICS) + "\n")
        for ds, _ in DATASETS:
            for i in range(N):
                cells = []
                for m in METRICS:
                    v = values[ds][m][i]
                    cells.append(repr(v) if v > 0 else "")
                f.write("%d,%s,%s\n" % (i, ds, ",".join(cells)))


if __name__ == "__main__":
    main()
