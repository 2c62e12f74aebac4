"""Open data (plan actions D14, E19, docs/open-data.md): anyone lists the de-identified data
sets, reads a data set's dictionary and releases, and reads a released month's cells; the
files are in the public bucket as well."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.analytics.publication import OpenDataReader
from etax.analytics.results import OpenDataset, OpenDatasets
from etax.analytics.store import Store
from etax.platform.api import make_resolver
from etax.platform.observability import instrument
from etax.platform.settings import required

app = make_resolver()
reader = OpenDataReader(Store(required("OPEN_DATA_BUCKET")))


@app.get("/v1/open-data/datasets")
def datasets() -> OpenDatasets:
    return reader.datasets()


@app.get("/v1/open-data/datasets/<dataset_id>")
def dataset(dataset_id: str) -> OpenDataset:
    return reader.dataset(dataset_id)


@app.get("/v1/open-data/datasets/<dataset_id>/releases/<month>")
def release(dataset_id: str, month: str) -> dict[str, Any]:
    return reader.release(dataset_id, month)


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
