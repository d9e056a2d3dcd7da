"""Input and output libraries: manifests, Parquet files, model folders on any filesystem."""
