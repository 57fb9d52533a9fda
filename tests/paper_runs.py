"""Shared by the run-sharing tests: the parameters a paper notebook runs with at a scale, and the run ids its
Table 1-style plan declares, built exactly as the notebooks build them
(`load_config(**common, **hparams[f"{dataset}/{backbone}/{method}"], data.dataset=..., ...)`)."""
import ast
import functools
import json
from pathlib import Path

import yaml

from adios_nb.config import apply_baseline_hparams, load_config

NBS = Path(__file__).resolve().parents[1] / "nbs"
SCALES = ("ci", "small", "paper")
MASKINGS = ("none", "adios")


def parameters(artefact: str, scale: str) -> dict:
    "The parameters `reproduce_<artefact>` runs with at `scale`: the `parameters` cell updated by the yaml file."
    cells = json.loads((NBS / f"reproduce_{artefact}.ipynb").read_text())["cells"]
    cell = next(c for c in cells if "parameters" in c.get("metadata", {}).get("tags", []))
    values = {s.targets[0].id: ast.literal_eval(s.value) for s in ast.parse("".join(cell["source"])).body}
    if scale != "ci":
        values.update(yaml.safe_load((NBS / "params" / f"{artefact}_{scale}.yaml").read_text()))
    return values


def run_id(params: dict, dataset: str, backbone: str, method: str, masking: str, seed: int) -> str:
    "The run id of one run of a Table 1-style plan (a baseline with its `baseline_hparams`, as `apply_baseline_hparams`)."
    key = f"{dataset}/{backbone}/{method}"
    overrides = {**params["common"], **params["hparams"].get(key, {})}
    cfg = load_config(**overrides, **{"data.dataset": dataset, "model.backbone": backbone, "method.name": method,
                                       "method.masking": masking, "train.seed": seed})
    return apply_baseline_hparams([cfg], params.get("baseline_hparams") or {})[0].run_id


def plan_run_ids(params: dict) -> dict:
    "{(dataset, backbone, method, masking, seed): run id} for every run of a Table 1-style plan."
    return {(d, b, m, k, s): run_id(params, d, b, m, k, s) for d in params["datasets"] for b in params["backbones"]
            for m in params["methods"] for k in MASKINGS for s in params["seeds"]}


def table1_run_ids(scale: str) -> dict:
    return plan_run_ids(parameters("table1", scale))


class _Captured(Exception):
    "Carries the configs a notebook hands to `stop_after_dry_run`."

    def __init__(self, configs):
        super().__init__("captured")
        self.configs = configs


def notebook_configs(artefact: str, scale: str = "paper", changes: dict = None) -> list:
    """The configs `reproduce_<artefact>` builds at `scale` (its parameters updated by `changes`), exactly as the
    notebook builds them: its code cells run in order, as papermill with `-p dry_run True` would, until the cell that
    hands the configs to `stop_after_dry_run`; that call is intercepted, so nothing is built or trained. Without
    `changes` the answer is computed once per test process (configs are frozen)."""
    if not changes:
        return list(_declared_configs(artefact, scale))
    return _notebook_configs(artefact, scale, changes)


@functools.cache
def _declared_configs(artefact: str, scale: str) -> tuple:
    return tuple(_notebook_configs(artefact, scale, None))


def _notebook_configs(artefact: str, scale: str, changes) -> list:
    from unittest import mock

    import adios_nb.train

    cells = [c for c in json.loads((NBS / f"reproduce_{artefact}.ipynb").read_text())["cells"] if c["cell_type"] == "code"]
    start = next(i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", []))
    namespace = {"__name__": f"reproduce_{artefact}"}
    exec("".join(cells[start]["source"]), namespace)
    namespace.update({**parameters(artefact, scale), **(changes or {}), "dry_run": True})

    def capture(configs, artefact_name, batch_size=4):
        raise _Captured(configs)

    with mock.patch.object(adios_nb.train, "stop_after_dry_run", capture):
        for cell in cells[start + 1:]:
            try:
                exec("".join(cell["source"]), namespace)
            except _Captured as captured:
                configs = captured.configs
                return list(configs.values()) if isinstance(configs, dict) else list(configs)
    raise AssertionError(f"reproduce_{artefact} has no cell that calls stop_after_dry_run")


SSL_ARTEFACTS = ("table1", "table2", "table3", "table4", "table5", "table6", "table7", "figure8", "seq_table1",
                 "seq_table2", "seq_figure2", "idaa_table1", "idaa_table2", "idaa_transfer", "idaa_figure6")
