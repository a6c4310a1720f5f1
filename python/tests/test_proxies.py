# Zero-cost proxies and the predictor from Python: the module is torch-free and reaches LibTorch
# through the core's plugin (libpelnas_torch.so, opened on the first proxy), like the CLI.
import csv
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import pelnas

ROOT = pathlib.Path(__file__).resolve().parents[2]
TABLE = ROOT / "models" / "proxies_cifar10.csv"
PLUGIN = pathlib.Path(os.environ.get("PELNAS_CLI", "")).parent / "libpelnas_torch.so"


def table_rows(n):
    with open(TABLE) as f:
        return [r for _, r in zip(range(n), csv.DictReader(f))]


@pytest.mark.skipif(not PLUGIN.exists(), reason="built without LibTorch (no libpelnas_torch.so)")
def test_proxies_match_the_shipped_table():
    # models/proxies_cifar10.csv was written by `pelnas predictor table` (batch 64, seed 0, the
    # default CIFAR-10 images): the same networks and inputs give the same values here.
    rows = table_rows(2)
    names = ["params", "flops", "synflow", "nwot", "snip"]
    got = pelnas.proxies([r["arch_str"] for r in rows], dataset="cifar10", batch_size=64, seed=0, proxies=names)
    assert sorted(got) == sorted(names)
    for k, r in enumerate(rows):
        for n in names:
            assert got[n][k] == pytest.approx(float(r[n]), rel=1e-4), (n, r["index"])
    # an NB201 index works as well as its arch string
    by_index = pelnas.proxies([rows[0]["index"]], proxies=["params"])
    assert by_index["params"][0] == got["params"][0]


def test_proxies_without_the_plugin_is_a_clear_error():
    code = ("import pelnas\n"
            "try:\n"
            "    pelnas.proxies(['0'], proxies=['params'])\n"
            "except pelnas.Error as e:\n"
            "    print('ERROR', e)\n")
    env = dict(os.environ, PELNAS_TORCH_PLUGIN="/nonexistent/libpelnas_torch.so")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.startswith("ERROR")
    assert "/nonexistent/libpelnas_torch.so: no such file" in out
    assert "PELNAS_TORCH_PLUGIN" in out


def test_predicted_accuracy_ranks_like_the_true_accuracy():
    # Cells of the shipped proxy table need no LibTorch: the XGBoost predictor on their proxies.
    rows = table_rows(80)
    archs = [r["arch_str"] for r in rows]
    pred = np.array(pelnas.predicted_accuracy(archs, dataset="cifar10"), dtype=float)
    assert np.all(np.isfinite(pred))
    truth = np.array([pelnas_test_accuracy(int(r["index"])) for r in rows])
    rank = lambda v: np.argsort(np.argsort(v))
    rho = np.corrcoef(rank(pred), rank(truth))[0, 1]
    assert rho > 0.6, rho
    with pytest.raises(pelnas.Error, match="mnist"):
        pelnas.predicted_accuracy(archs[:1], dataset="mnist")


def pelnas_test_accuracy(index):
    # CIFAR-10 test accuracy from the data directory's main table (column c10_test_acc).
    global _ACC
    if "_ACC" not in globals():
        data = pathlib.Path(os.environ.get("PELNAS_DATA", ROOT.parent / "shared" / "data"))
        with open(data / "nb201_hw.csv") as f:
            _ACC = {int(r["index"]): float(r["c10_test_acc"]) for r in csv.DictReader(f)}
    return _ACC[index]
