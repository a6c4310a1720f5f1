"""pelnas.search (one call), run reading, the true front."""
import json
import os
import subprocess

import numpy as np
import pytest

import pelnas
from conftest import conv3x3_latency


def test_search_from_tables_matches_the_cli(tmp_path):
    run = pelnas.search(device="fpga", budget=48, seed=2, out=tmp_path / "py")
    assert run.finished and len(run.archive["order"]) == 48
    assert 0 < run.summary["hv_ratio"] <= 1
    cli = os.environ.get("PELNAS_CLI")
    if cli:  # the same search through `pelnas search`: the same archive
        subprocess.run([cli, "search", "--device", "fpga", "--budget", "48", "--seed", "2", "--out", str(tmp_path / "cli")],
                       check=True, capture_output=True)
        ref = pelnas.read_run(tmp_path / "cli")
        assert list(ref.archive["arch"]) == list(run.archive["arch"])
        assert np.array_equal(ref.archive["cost"], run.archive["cost"])
        assert ref.summary["hv_ratio"] == pytest.approx(run.summary["hv_ratio"], abs=0, rel=1e-15)


def test_search_with_a_python_evaluator(tmp_path):
    seen = []

    def latency(c):
        seen.append(c.arch)
        return conv3x3_latency(c.arch)

    run = pelnas.search(latency, algorithm="nsga2", device="tell", budget=30, out=tmp_path / "s")
    assert len(run.archive["arch"]) == 30 and set(run.archive["arch"]) <= set(seen)
    with pytest.raises(pelnas.Error, match="needs an evaluate function"):
        pelnas.search(device="tell", out=tmp_path / "t")


def test_true_front_matches_the_cli():
    front = pelnas.true_front("cifar10", "fpga")
    assert front["cost_unit"] and len(front["rank"]) == len(front["arch"]) > 3
    assert np.all(np.diff(front["cost"]) >= 0) and np.all(np.diff(front["accuracy"]) > -1e-9)
    cli = os.environ.get("PELNAS_CLI")
    if cli:
        ref = json.loads(subprocess.run([cli, "front", "--device", "fpga", "--json"], check=True,
                                        capture_output=True, text=True).stdout)
        assert [e["index"] for e in ref["front"]] == list(front["index"])
    with pytest.raises(pelnas.Error, match="no-such-device"):
        pelnas.true_front("cifar10", "no-such-device")


def test_to_pandas(tmp_path):
    pd = pytest.importorskip("pandas")
    run = pelnas.search(algorithm="random", device="fpga", budget=12, out=tmp_path / "s")
    df = run.to_pandas("archive")
    assert isinstance(df, pd.DataFrame) and len(df) == 12 and "cost" in df.columns
