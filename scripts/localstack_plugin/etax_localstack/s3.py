"""LocalStack's own S3 provider, with its object store under ``TMPDIR`` instead of ``/tmp``.

The stock S3 provider spools objects (Lambda code zips included) into the hard-coded
``/tmp/localstack-s3-storage``, which ``LOCALSTACK_VOLUME_DIR`` does not move; on a shared machine
that writes outside the project and leaks between instances. This provider is the very same
implementation given an ephemeral store rooted in ``$TMPDIR/localstack-s3-storage`` (the state
dir's ``tmp/`` when started by ``scripts/localstack_ctl.py``).

Select it with ``PROVIDER_OVERRIDE_S3=etax``.
"""

from __future__ import annotations

import os
import tempfile

from localstack.services.plugins import Service, aws_provider

PROVIDER_NAME = "etax"
STORE_DIRECTORY = "localstack-s3-storage"


@aws_provider(api="s3", name=PROVIDER_NAME)  # type: ignore[untyped-decorator]
def s3_etax() -> Service:
    """Build LocalStack's S3 service whose object files live under ``TMPDIR``."""
    from localstack.services.s3.provider import S3Provider
    from localstack.services.s3.storage.ephemeral import EphemeralS3ObjectStore

    root = os.path.join(tempfile.gettempdir(), STORE_DIRECTORY)
    os.makedirs(root, exist_ok=True)
    return Service.for_provider(S3Provider(storage_backend=EphemeralS3ObjectStore(root)))
