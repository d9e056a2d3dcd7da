"""Example Airflow DAG: run voicescrub daily on a Flink cluster (not exercised here).

Assumes the Airflow worker has voicescrub installed (``pip install voicescrub-0.1.0.tar.gz``)
and can reach the Flink JobManager; the SDK workers run in the voicescrub image
(``--environment_type DOCKER``). Reruns of a day are safe: the same manifest
always writes the same file names (see README "Running in production").
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

FLINK_MASTER = "flink-jobmanager:8081"
IMAGE = "REGION-docker.pkg.dev/PROJECT/voicescrub/worker:0.1.0"

with DAG(
    dag_id="voicescrub_daily",
    start_date=datetime(2026, 11, 1),
    schedule="0 3 * * *",
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=15)},
) as dag:
    create_keys = BashOperator(
        task_id="create_epoch_keys",
        bash_command=("voicescrub-keys --keyring /mnt/keyring create "
                      "--from-manifest 's3://bucket/manifests/{{ ds }}/*.jsonl' --period week"),
    )
    scrub = BashOperator(
        task_id="scrub",
        bash_command=(
            "voicescrub --manifest 's3://bucket/manifests/{{ ds }}/*.jsonl' "
            "--output s3://bucket/voicescrub --keyring /mnt/keyring --no-create-keys "
            f"--runner FlinkRunner --flink_master {FLINK_MASTER} --parallelism 8 "
            f"--environment_type DOCKER --environment_config {IMAGE}"
        ),
    )
    create_keys >> scrub
