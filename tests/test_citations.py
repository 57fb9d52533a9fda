"""Notebooks, tests, parameter files, READMEs and the package cite only what a reader of the repository can follow:
the papers (section, equation, table, appendix) and the official code (repository, file, commit). The developers'
notes beside their checkout (the specification files, the papers' extracted text, the design notes) are not part of
the repository, so no citation may point at them."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# A reference to a file outside the repository, or to a section of one.
OUTSIDE = re.compile("|".join((
    r"\bspec\s*§",                              # "spec §9.1"
    r"\bspec(?:'s)?\s+(?:part\s+)?[A-D]\.\d",   # "spec A.8", "spec part B.4"
    r"\bspec part\b", r"\bthe spec\b",          # "the spec's table", "the spec leaves them open"
    r"\bspec/", r"\bshared/", r"papers/\d",     # "spec/adios_official.md", "shared/spec/...", "papers/001_*.txt"
    r"adios_official\.md", r"solo_learn\.md", r"idaa_nls_sequential", r"nbdev_papermill\.md",
    r"\bDESIGN(?:\.md)?\s*§",                   # "DESIGN §6"
)))
# The one test that reads the developers' notes on purpose: it checks the transcription of the official
# hyperparameters against them and skips where they are absent.
READS_THE_NOTES = {"test_official_hparams_source.py", "test_citations.py"}


def cited_texts():
    "(name, text) of every file a reader of the repository reads: notebook cells, tests, params, READMEs, package."
    for path in sorted((ROOT / "nbs").glob("*.ipynb")):
        for i, cell in enumerate(json.loads(path.read_text())["cells"]):
            yield f"{path.relative_to(ROOT)} cell {i}", "".join(cell["source"])
    paths = [*sorted((ROOT / "tests").glob("*.py")), *sorted((ROOT / "nbs" / "params").glob("*.yaml")),
             ROOT / "README.md", ROOT / "data" / "README.md", *sorted((ROOT / "adios_nb").glob("*.py")),
             *sorted((ROOT / "adios_nb" / "paper").glob("*"))]
    for path in paths:
        if path.name not in READS_THE_NOTES and path.is_file():
            yield str(path.relative_to(ROOT)), path.read_text()


def test_the_pattern_catches_the_old_citations():
    for old in ("(spec §9.1-9.2)", "`spec/adios_official.md` §7.2", "`shared/papers/001_*.txt`", "spec A.8",
                "spec part B.4-B.6", "`../shared/spec/idaa_nls_sequential.md` part B", "`solo_learn.md` §6.2",
                "the spec's table §1.4", "DESIGN §6", "(`papers/003_*.txt`)"):
        assert OUTSIDE.search(old), old
    for fine in ("YugeTen/adios@21c6f23, `src/utils/unet.py`", "paper §3", "Appendix E, Table 12",
                 "render(spec: SceneSpec)", "importlib.util.spec_from_file_location", "kernelspec"):
        assert not OUTSIDE.search(fine), fine


def test_no_citation_points_outside_the_repository():
    found = [f"{name}: ...{text[max(0, m.start() - 40):m.end() + 40]!r}..."
             for name, text in cited_texts() for m in OUTSIDE.finditer(text)]
    assert not found, "citations of files outside the repository (cite the paper or the official code):\n" + \
        "\n".join(found)
