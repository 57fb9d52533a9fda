"""Shared by the run-sharing tests: the parameters a paper notebook runs with at a scale, and the run ids its
Table 1-style plan declares, built exactly as the notebooks build them
(`load_config(**common, **hparams[f"{dataset}/{backbone}/{method}"], data.dataset=..., ...)`)."""
import ast
import json
from pathlib import Path

import yaml

from adios_nb.config import load_config

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
    "The run id of one run of a Table 1-style plan."
    overrides = {**params["common"], **params["hparams"].get(f"{dataset}/{backbone}/{method}", {})}
    return load_config(**overrides, **{"data.dataset": dataset, "model.backbone": backbone, "method.name": method,
                                        "method.masking": masking, "train.seed": seed}).run_id


def plan_run_ids(params: dict) -> dict:
    "{(dataset, backbone, method, masking, seed): run id} for every run of a Table 1-style plan."
    return {(d, b, m, k, s): run_id(params, d, b, m, k, s) for d in params["datasets"] for b in params["backbones"]
            for m in params["methods"] for k in MASKINGS for s in params["seeds"]}


def table1_run_ids(scale: str) -> dict:
    return plan_run_ids(parameters("table1", scale))
