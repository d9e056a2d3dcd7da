"""The package's shape, as docs/architecture.md describes it: stages apart from
libraries, no stage importing another, one place for models and one dead-letter
mechanism, every import through the ``voicescrub`` namespace."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import pkgutil
from typing import Dict, List, Set

import apache_beam as beam
import pytest

from tests.conftest import REPO

TOP_FOLDERS = ("pipeline", "transforms", "schemas")
STAGES = "voicescrub.transforms.stages"
CODE_FOLDERS = TOP_FOLDERS + ("tests", "benchmarks", "samples", "deploy")


def python_files(*folders: str) -> List[str]:
    found = []
    for folder in folders:
        for root, dirs, files in os.walk(os.path.join(REPO, folder)):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            found += [os.path.join(root, name) for name in files if name.endswith(".py")]
    return sorted(found)


def imported_modules(path: str) -> Set[str]:
    """Every module ``path`` imports, at any depth of the file (function-level too)."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    names: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolved against the file's own package
                package = module_name(path).split(".")
                package = package[:len(package) - node.level]
                module = ".".join(package + ([module] if module else []))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def module_name(path: str) -> str:
    relative = os.path.relpath(path, REPO)[:-len(".py")].replace(os.sep, ".")
    return "voicescrub." + relative.removesuffix(".__init__")


@pytest.mark.parametrize("path", python_files(*CODE_FOLDERS) + [os.path.join(REPO, "run_local.py")],
                         ids=lambda p: os.path.relpath(p, REPO))
def test_code_imports_the_package_through_its_namespace(path):
    bare = [name for name in imported_modules(path) if name.split(".")[0] in TOP_FOLDERS]
    assert not bare, "import voicescrub.<folder>, never the bare folder name"


def stage_modules() -> Dict[str, str]:
    folder = os.path.join(REPO, "transforms", "stages")
    return {module_name(path): path for path in python_files(os.path.join("transforms", "stages"))
            if not path.endswith("__init__.py") and os.path.dirname(path) == folder}


def test_no_stage_imports_another_stage():
    stages = stage_modules()
    assert len(stages) >= 10
    for name, path in stages.items():
        others = {imported for imported in imported_modules(path)
                  if imported.startswith(STAGES + ".") and imported.split(".")[3] != name.split(".")[3]}
        assert not others, f"{name} imports another stage"


def test_libraries_never_import_a_stage_or_the_pipeline():
    libraries = [path for path in python_files("transforms", "schemas")
                 if os.sep + os.path.join("transforms", "stages") + os.sep not in path]
    for path in libraries:
        wrong = {name for name in imported_modules(path)
                 if name.startswith((STAGES, "voicescrub.pipeline"))}
        assert not wrong, f"{module_name(path)} imports a stage or the pipeline"


def test_every_beam_transform_lives_in_a_stage_module_or_the_runtime():
    """Libraries are plain Python: Beam's building blocks are in ``stages/`` (and the
    shared ``runtime/`` the stages use), so a library is unit-tested without Beam."""
    for path in python_files("transforms"):
        name = module_name(path)
        if name.startswith((STAGES, "voicescrub.transforms.runtime")):
            continue
        module = importlib.import_module(name)
        defined = [obj for obj in vars(module).values()
                   if inspect.isclass(obj) and obj.__module__ == name]
        assert not [cls for cls in defined if issubclass(cls, (beam.DoFn, beam.PTransform))], name


def test_every_stage_dead_letters_through_the_one_mechanism():
    """No stage builds or tags a dead letter of its own: a clip stage derives from
    ``ClipStageFn`` or ``BatchStageFn``, and anything else that dead-letters (a manifest
    line) goes through their ``StageOutcomes``, so every failure is counted and worded
    the same way."""
    from voicescrub.transforms.runtime.clip_stage import BatchStageFn, ClipStageFn

    stages = importlib.import_module(STAGES)
    clip_stages = 0
    for info in pkgutil.iter_modules(stages.__path__):
        module = importlib.import_module(f"{STAGES}.{info.name}")
        source = inspect.getsource(module)
        for own in ("TaggedOutput", "DeadLetter(", "dead_letter_for("):
            assert own not in source, f"{info.name} dead-letters by hand"
        clip_stages += sum(1 for obj in vars(module).values()
                           if inspect.isclass(obj) and obj.__module__ == module.__name__
                           and issubclass(obj, (ClipStageFn, BatchStageFn)))
    assert clip_stages >= 10


def test_models_are_acquired_in_one_module():
    """Only ``runtime/models.py`` asks ``Shared`` for a model; stages go through it."""
    for path in python_files("transforms", "pipeline"):
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        if path.endswith(os.path.join("runtime", "models.py")):
            assert ".acquire(" in source
            continue
        assert ".acquire(" not in source and "Shared()" not in source, module_name(path)


def test_stage_dofns_pickle_with_their_configuration():
    """What a worker receives: every stage's DoFn holds only picklable settings."""
    import pickle

    from voicescrub.pipeline.options import parse_job_args
    from voicescrub.transforms.runtime.models import SharedModels
    from voicescrub.transforms.stages.audit import AuditRedactionFn
    from voicescrub.transforms.stages.detect_pii import DetectPiiFn
    from voicescrub.transforms.stages.transcribe import TranscribeBatchFn

    config, _ = parse_job_args(["--manifest", "m", "--output", "o"])
    models = SharedModels()
    for fn in (TranscribeBatchFn(config.asr, models), DetectPiiFn(config.pii, models),
               AuditRedactionFn(config.audit, redaction=config.redaction, asr=config.asr,
                                pii=config.pii, models=models)):
        assert pickle.loads(pickle.dumps(fn)) is not None
