# Dataflow Flex Template image: the worker image (../../Dockerfile) plus Google's
# Python template launcher, so one image both launches the job and runs it
# (pass the same image as --sdk_container_image; see deploy/README.md).
#
# Build from the repository root, after building the worker image:
#   docker build -f deploy/flex_template/Dockerfile.flex \
#     --build-arg WORKER_IMAGE=REGION-docker.pkg.dev/PROJECT/voicescrub/worker:0.1.0 \
#     -t REGION-docker.pkg.dev/PROJECT/voicescrub/flex:0.1.0 .
ARG WORKER_IMAGE=voicescrub-worker:0.1.0
FROM gcr.io/dataflow-templates-base/python311-template-launcher-base AS launcher

FROM ${WORKER_IMAGE}
COPY --from=launcher /opt/google/dataflow/python_template_launcher /opt/google/dataflow/python_template_launcher
COPY deploy/flex_template/main.py /opt/voicescrub/flex_main.py
ENV FLEX_TEMPLATE_PYTHON_PY_FILE=/opt/voicescrub/flex_main.py
# The package is already installed in the worker image: no requirements or setup file here.
ENTRYPOINT ["/opt/apache/beam/boot"]
