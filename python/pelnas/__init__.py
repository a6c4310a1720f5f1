"""pelnas: hardware-aware neural architecture search (PEL-NAS) from Python.

    import pelnas

    # Ask/tell: the search proposes, you evaluate (here: your latency, the table's accuracy).
    with pelnas.Study(cost="tell", accuracy="valid", budget=60, out="runs/my-study") as study:
        while batch := study.ask():
            for c in batch:
                study.tell(c.id, my_latency(c.arch))

    run = pelnas.search(device="fpga", budget=100)      # one call, like `pelnas search`
    front = pelnas.true_front("cifar10", "fpga")       # the exact true Pareto front
    run.to_pandas("front")                              # where pandas is installed

Errors pelnas reports (bad options, bad tells, bad files) raise pelnas.Error (a ValueError) with
the CLI's messages; a wrong argument type raises TypeError. Waiting calls release the GIL and
honour Ctrl-C. The extension links the torch-free core only, so importing pelnas is fast.
"""
import datetime as _dt
import os as _os
import sys as _sys

# The LibTorch back end (libpelnas_torch.so, opened with dlopen only when proxies are computed, e.g.
# accuracy="predictor" on a cell outside the shipped proxy table) resolves the core's symbols from
# the global scope, as it does from the pelnas executable: load the extension RTLD_GLOBAL.
_flags = _sys.getdlopenflags()
_sys.setdlopenflags(_flags | _os.RTLD_GLOBAL)
try:
    from . import _core
finally:
    _sys.setdlopenflags(_flags)

from ._core import Candidate, Error, __version__
from ._core import Study as _CoreStudy
from ._core import read_run as _read_run
from ._core import true_front as _true_front
from ._core import proxies as _proxies
from ._core import predicted_accuracy as _predicted_accuracy

__all__ = ["Study", "Candidate", "Error", "Run", "search", "read_run", "true_front", "proxies",
           "predicted_accuracy", "__version__"]

_STRING_COLUMNS = {"arch"}


def _columns(table):
    """{column: list} -> {column: numpy array} (strings stay lists); lists when NumPy is absent."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - NumPy is optional
        return dict(table)
    out = {}
    for name, values in table.items():
        if name in _STRING_COLUMNS:
            out[name] = list(values)
        else:
            out[name] = np.asarray(values, dtype=float if any(isinstance(v, float) for v in values) else np.int64)
    return out


class Run:
    """A run directory read back: config, summary, stats (dicts) and the archive, front and
    metrics tables as {column: NumPy array}."""

    def __init__(self, data):
        self.dir = data["dir"]
        self.state = data["state"]
        self.finished = data["finished"]
        self.config = data["config"]
        self.summary = data["summary"]
        self.stats = data["stats"]
        self.archive = _columns(data["archive"])
        self.front = _columns(data["front"])
        self.metrics = _columns(data["metrics"])

    def to_pandas(self, table="archive"):
        """The archive, front or metrics table as a pandas DataFrame (needs pandas)."""
        if table not in ("archive", "front", "metrics"):
            raise ValueError(f"to_pandas: table must be 'archive', 'front' or 'metrics', got {table!r}")
        import pandas as pd  # only here: pandas is optional
        return pd.DataFrame(getattr(self, table))

    def __repr__(self):
        head = (f"Run({self.dir!r}, state={self.state}, evaluations={len(self.archive['order'])}, "
                f"front={len(self.front['order'])}, ")
        if self.summary.get("hv_scoring") == "reference_point":  # a told cost: no true front
            return head + (f"hv={self.summary.get('hv')} against {self.summary.get('hv_reference_point')} "
                           f"({self.summary.get('hv_reference_source')}), no hv_ratio/igd: no true front)")
        return head + f"hv_ratio={self.summary.get('hv_ratio')})"


def read_run(path):
    """Reads a run directory (a `pelnas search` run or a study) into a Run."""
    return Run(_read_run(str(path)))


def true_front(dataset="cifar10", device="fpga", metric="latency", include_degenerate=False, data_dir=None):
    """The exact true Pareto front (max test accuracy, min cost) as a dict with NumPy columns
    rank, index, accuracy, cost (and arch, a list) plus its metadata."""
    d = _true_front(dataset, device, metric, include_degenerate, None if data_dir is None else str(data_dir))
    meta = {k: v for k, v in d.items() if k not in ("rank", "index", "arch", "accuracy", "cost")}
    meta.update(_columns({k: d[k] for k in ("rank", "index", "arch", "accuracy", "cost")}))
    return meta


def _default_out(dataset, device, algorithm, seed):
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return _os.path.join("runs", f"{dataset}-{device}-{algorithm}-s{seed}-{stamp}")


def Study(*, algorithm="pelnas", dataset="cifar10", accuracy="tell", cost="tell", metric="latency",
          cost_name="latency", cost_unit="ms", budget=0, seed=0, include_degenerate=False, data_dir=None,
          hv_reference=None, reference_point=None, out=None, **algorithm_options):
    """A new ask/tell study in run directory `out`.

    accuracy: "tell" (you tell it, percent) or an accuracy signal ("valid", "table:test", "predictor").
    cost: "tell" (you tell it, named cost_name, in cost_unit) or a device ("fpga", "edgegpu", "flops").
    algorithm: "pelnas" (options: operator="evolution"|"llm", operator_options={...}, partition, generations, ...),
    "rea", "nsga2" or "random" (their options as keywords).
    A told cost has no true front, so HV ratio and IGD do not exist: the run is scored by its
    hypervolume in the objectives' own units against reference_point=(accuracy %, cost) (the lowest
    accuracy and highest cost counted), or, when None, a point derived from the run's archive
    (summary["hv_reference_source"] says which).
    ask() returns the candidates to evaluate, [] when finished; tell(id, values) takes the told
    values in study.told_names order (a number when one is told, a sequence, or a dict).
    """
    options = {"algorithm": algorithm, "algorithm_options": algorithm_options, "dataset": dataset,
               "accuracy": accuracy, "cost": cost, "metric": metric, "cost_name": cost_name,
               "cost_unit": cost_unit, "budget": int(budget), "seed": int(seed),
               "include_degenerate": bool(include_degenerate), "data_dir": "" if data_dir is None else str(data_dir),
               "hv_reference": None if hv_reference is None else list(hv_reference),
               "reference_point": None if reference_point is None else [float(x) for x in reference_point]}
    if out is None:
        out = _default_out(dataset, cost if cost != "tell" else "told", algorithm, seed)
    return _CoreStudy._create(options, str(out))


Study.resume = _CoreStudy.resume


def search(evaluate=None, *, algorithm="pelnas", dataset="cifar10", device="fpga", accuracy="valid",
           metric="latency", budget=0, seed=0, operator="evolution", out=None, **options):
    """One call, like `pelnas search`: runs a search and returns its Run.

    Without `evaluate` every value comes from the tables (accuracy signal `accuracy`, cost of
    `device`). With `evaluate(candidate)` your function supplies what is set to "tell":
    device="tell" -> it returns the cost; accuracy="tell" -> the accuracy; both -> [accuracy, cost]
    (or a dict). It returns None to mark a candidate failed.
    """
    told = [n for n, v in (("accuracy", accuracy), ("cost", device)) if v == "tell"]
    if evaluate is None and told:
        raise Error(f"search: {' and '.join(told)} set to 'tell' needs an evaluate function")
    if evaluate is not None and not told:
        raise Error("search: an evaluate function needs accuracy='tell' or device='tell' (what it returns)")
    if algorithm == "pelnas":
        options.setdefault("operator", operator)
    study = Study(algorithm=algorithm, dataset=dataset, accuracy=accuracy, cost=device, metric=metric,
                  budget=budget, seed=seed, out=out, **options)
    with study:
        while True:
            batch = study.ask()
            if not batch:
                break
            for c in batch:
                values = evaluate(c)
                if values is None:
                    study.tell_failed(c.id, "the evaluate function returned None")
                else:
                    study.tell(c.id, values)
    return read_run(study.run_dir)


def proxies(archs, dataset="cifar10", batch_size=64, seed=0, proxies=None, data_dir=None, threads=2):
    """Zero-cost proxies of NB201 cells (arch strings or indices) on untrained networks, as
    `pelnas proxies` computes them: {proxy name: NumPy array, NaN where a value was non-finite}.
    The GIL is released while computing; Ctrl-C stops between networks.
    `proxies` picks some of the 13 (default all). Needs the LibTorch plugin (libpelnas_torch.so),
    opened on the first call; without it pelnas.Error names the paths tried."""
    d = _proxies([str(a) for a in archs], dataset, int(batch_size), int(seed), list(proxies or []),
                 None if data_dir is None else str(data_dir), int(threads))
    return {k: _floats(vals) for k, vals in d.items()}


def predicted_accuracy(archs, dataset="cifar10", data_dir=None, threads=2):
    """The XGBoost predictor's accuracy (%) of NB201 cells, as accuracy="predictor" sees it: from the
    shipped proxy table where a cell is in it, else from proxies computed through the LibTorch plugin.
    A NumPy array (NaN where no prediction exists)."""
    return _floats(_predicted_accuracy([str(a) for a in archs], dataset, None if data_dir is None else str(data_dir),
                                       int(threads)))


def _floats(values):
    """A list of floats (None = missing) as a NumPy array with NaN; a list when NumPy is absent."""
    values = [float("nan") if v is None else v for v in values]
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - NumPy is optional
        return values
    return np.array(values, dtype=float)
