"""Worker packaging: the sdist carries everything a worker needs and runs the job
from outside the repository; the container recipes are consistent with the package.

The sdist is what ``--setup_file`` sends to Dataflow workers and what the
Dockerfile installs. The test environment's own pip (and its ``wheel``) builds
it and installs it with ``--no-deps --target`` into a fresh folder; the entry
points run with that folder first on ``sys.path``, ahead of the editable
install, and take Beam and the models from this same environment. That proves
the sdist's own contents, offline, and relies on nothing outside the test
environment (the base interpreter's packages are never on the path). No Docker
engine exists here, so the Dockerfiles are parsed, not built.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tarfile

import pytest
from production_support import REPO, write_subset_manifest

PACKAGES = ("pipeline", "transforms", "schemas")


def repo_package_files() -> set:
    """Every module and data file of the three packages, as the sdist should hold them."""
    found = set()
    for package in PACKAGES:
        for folder, dirs, files in os.walk(os.path.join(REPO, package)):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in files:
                if name.endswith((".py", ".yaml")):
                    found.add(os.path.relpath(os.path.join(folder, name), REPO).replace(os.sep, "/"))
    return found


@pytest.fixture(scope="module")
def sdist(tmp_path_factory):
    out = tmp_path_factory.mktemp("sdist")
    subprocess.run([sys.executable, "setup.py", "-q", "egg_info", "--egg-base", str(out),
                    "sdist", "--dist-dir", str(out)], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    (archive,) = out.glob("voicescrub-*.tar.gz")
    return archive


def test_sdist_holds_every_module_and_data_file(sdist):
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    missing = repo_package_files() - names
    assert not missing, f"not in the sdist: {sorted(missing)}"
    assert "transforms/language/en/pii_config.yaml" in names
    assert {"setup.py", "PKG-INFO"} <= names
    assert not [n for n in names if n.startswith(("tests/", "samples/", "benchmarks/", "deploy/"))]


@pytest.fixture(scope="module")
def installed(sdist, tmp_path_factory):
    """The sdist installed alone into a folder of its own (its console scripts in ``bin/``)."""
    folder = tmp_path_factory.mktemp("installed") / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--no-index", "--target", str(folder), str(sdist)], check=True,
                   cwd=str(folder.parent))
    return folder


def installed_env(installed) -> dict:
    """This environment's variables with the installed folder alone on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONPATH"] = str(installed)
    return env


def entry_point(installed, name: str) -> list:
    """The console script pip wrote, run by this environment's interpreter."""
    script = installed / "bin" / name
    assert script.is_file(), f"{name} was not installed"
    return [sys.executable, str(script)]


def test_installed_package_is_imported_from_the_install_not_the_repo(installed, tmp_path):
    probe = ("import json, voicescrub.pipeline as p, voicescrub.transforms as t, "
             "voicescrub.schemas as s, voicescrub.transforms.pii.config as c;"
             "print(json.dumps([p.__file__, t.__file__, s.__file__, c.DEFAULT_CONFIG_PATH]))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=str(tmp_path),
                            env=installed_env(installed), check=True, capture_output=True, text=True)
    paths = json.loads(result.stdout.strip().splitlines()[-1])
    for path in paths:
        assert path.startswith(str(installed)) and not path.startswith(REPO + os.sep), path
    assert os.path.isfile(paths[-1])


def test_install_adds_only_the_voicescrub_import_name(installed, tmp_path):
    """Nothing but ``voicescrub`` at the top of site-packages: a generic name such as
    ``pipeline`` would clash with any other distribution that has one."""
    top = {entry.name for entry in installed.iterdir()
           if entry.name != "bin" and not entry.name.endswith((".dist-info", ".egg-info"))}
    assert top == {"voicescrub"}
    for bare in PACKAGES:
        result = subprocess.run([sys.executable, "-c", f"import {bare}"], cwd=str(tmp_path),
                                env=installed_env(installed), capture_output=True, text=True)
        assert result.returncode != 0 and "ModuleNotFoundError" in result.stderr, bare


def test_sample_job_runs_from_outside_the_repo(installed, tmp_path):
    """The console entry point on a few sample clips, cwd and PYTHONPATH free of the repo."""
    manifest = write_subset_manifest(str(tmp_path / "in"), ("s01", "s15", "s16"))
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    result = subprocess.run(
        [*entry_point(installed, "voicescrub"), "--manifest", manifest, "--output", "out",
         "--keyring", "keyring"],
        cwd=str(workdir), env=installed_env(installed), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "utterances written:   1" in result.stdout
    assert "dead-lettered:        2" in result.stdout
    assert "every manifest line is accounted for" in result.stdout
    assert list((workdir / "out" / "utterances").glob("pseudonym_epoch=*/part-*.parquet"))


def test_keys_entry_point_is_installed(installed, tmp_path):
    result = subprocess.run([*entry_point(installed, "voicescrub-keys"), "--keyring", "kr", "list"],
                            cwd=str(tmp_path), env=installed_env(installed), capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr[-2000:]


# Container recipes: no Docker engine here, so check what a build would need.

def dockerfile_instructions(path: str) -> list:
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    with open(path, encoding="utf-8") as handle:
        text = re.sub(r"\\\n", " ", handle.read())
    steps = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, args = line.partition(" ")
            steps.append((instruction.upper(), args.strip()))
    return steps


def pinned(requirement: str) -> str:
    """The version setup.py pins (read as text, not run)."""
    with open(os.path.join(REPO, "setup.py"), encoding="utf-8") as handle:
        return re.search(rf'"{re.escape(requirement)}==([^"]+)"', handle.read()).group(1)


def test_worker_image_is_the_beam_sdk_of_the_pinned_version():
    steps = dockerfile_instructions(os.path.join(REPO, "Dockerfile"))
    froms = [args for instruction, args in steps if instruction == "FROM"]
    assert froms == [f"apache/beam_python3.11_sdk:{pinned('apache-beam')}"]
    assert not [s for s in steps if s[0] in ("ENTRYPOINT", "CMD")], "keep the SDK harness entry point"
    runs = " ".join(args for instruction, args in steps if instruction == "RUN")
    assert "pip install --no-cache-dir ." in runs
    assert "bundled_model_path" in runs and "spacy.load" in runs  # models baked in and checked


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "deploy/flex_template/Dockerfile.flex"])
def test_every_copy_source_exists_and_is_not_docker_ignored(dockerfile):
    ignored_everything = open(os.path.join(REPO, ".dockerignore"), encoding="utf-8").read()
    allowed = {line[1:].rstrip("/") for line in ignored_everything.splitlines() if line.startswith("!")}
    for instruction, args in dockerfile_instructions(os.path.join(REPO, dockerfile)):
        if instruction != "COPY" or args.startswith("--from="):
            continue
        *sources, _destination = args.split()
        for source in sources:
            assert os.path.exists(os.path.join(REPO, source)), f"{dockerfile}: {source} missing"
            if dockerfile == "Dockerfile":
                assert source.rstrip("/") in allowed, f"{source} is excluded by .dockerignore"


def test_flex_template_metadata_names_job_flags():
    spec = importlib.util.spec_from_file_location(
        "flex_main", os.path.join(REPO, "deploy", "flex_template", "main.py"))
    flex_main = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(flex_main)
    with open(os.path.join(REPO, "deploy", "flex_template", "metadata.json"), encoding="utf-8") as f:
        metadata = json.load(f)
    for parameter in metadata["parameters"]:
        assert f"--{parameter['name']}" in flex_main.JOB_FLAGS, parameter["name"]
        assert flex_main.JOB_FLAGS[f"--{parameter['name']}"] in flex_main.JOB_FLAGS.values()
    assert flex_main.job_flag("--output_shards=3") == "--output-shards=3"
    assert flex_main.job_flag("--temp_location=gs://b/t") == "--temp_location=gs://b/t"  # Beam's own
