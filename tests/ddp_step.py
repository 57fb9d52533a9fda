"""One training step of a BN-free SimCLR + ADIOS, in one process on the whole batch or, under `torchrun`, in
each process on its shard; process 0 saves the loss metrics and every parameter's update. Used by test_ddp.py.

    python tests/ddp_step.py OUT.pt [key=value ...]                                   # one process, batch B
    torchrun --standalone --nproc_per_node 2 tests/ddp_step.py OUT.pt [key=value ...]  # two processes, B/2 each
"""
import sys
from pathlib import Path

import torch
import torch.distributed as dist

from adios_nb.config import load_config, parse_overrides
from adios_nb.methods import build_method
from adios_nb.train import _mean_across_processes, apply_lr_schedule, init_distributed, seed_everything

ROOT = Path(__file__).resolve().parents[1]
BATCH = 8
LR = 0.5  # one plain SGD step (LARS off, no weight decay): update = LR * gradient


def main(out: str, overrides: dict | None = None) -> None:
    # ViT-Tiny (LayerNorm), SimCLR's BN-free projector, a GroupNorm occluder: nothing depends on the batch split
    cfg = load_config(ROOT / "nbs" / "params" / "ci_pretrain.yaml", **{
        "model.backbone": "vit_tiny", "method.unet_norm": "gn", "data.batch_size": BATCH, "train.device": "cpu",
        "optim.lars": False, "optim.weight_decay": 0.0, "optim.scheduler": "constant",
        "optim.lr": LR, "optim.classifier_lr": LR, "optim.mask_lr": LR,
        "method.alpha_entropy": 0.5,  # the entropy term is a batch sum: checks its weight under torchrun
        **(overrides or {})})  # e.g. method.masking=sequential (tests/test_sequential.py)
    context, device = init_distributed("cpu")
    seed_everything(0)
    method = build_method(cfg)
    method.setup_distributed()
    apply_lr_schedule(method, cfg.optim, 0)
    generator = torch.Generator().manual_seed(1)
    views = [torch.randn(BATCH, 3, cfg.img_size, cfg.img_size, generator=generator) for _ in range(2)]
    labels = torch.randint(0, 10, (BATCH,), generator=generator)
    per_process = BATCH // context.world_size  # process r takes the r-th slice of the batch, as 05_data's sampler
    shard = torch.arange(context.rank * per_process, (context.rank + 1) * per_process)
    batch = {"index": shard, "views": [v[shard] for v in views], "label": labels[shard]}
    before = {name: p.detach().clone() for name, p in method.named_parameters()}
    metrics = _mean_across_processes(method.training_step(batch), context, device)
    updates = {name: (before[name] - p.detach()) / LR for name, p in method.named_parameters()}
    if context.is_main:
        torch.save({"metrics": metrics, "updates": updates, "world_size": context.world_size}, out)
    if dist.is_initialized():
        dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1], parse_overrides(sys.argv[2:]))
