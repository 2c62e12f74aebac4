"""The e-tax project's LocalStack plugin: what stock LocalStack lacks when it runs on the host.

LocalStack loads each piece through its documented entry-point groups (see ``pyproject.toml``):

* ``dynamodb:etax`` / ``dynamodbstreams:etax`` - DynamoDB served by the moto that LocalStack
  bundles, because the stock provider needs Java and a DynamoDB Local download.
* ``s3:etax`` - LocalStack's own S3 whose object store lives under ``TMPDIR`` instead of the
  hard-coded ``/tmp/localstack-s3-storage``.
* ``local`` Lambda runtime executor - each execution environment is one worker process running
  the Lambda-like Python named by ``ETAX_LAMBDA_PYTHON``, because the stock executor needs Docker.
* ``AWS::ApiGateway::Authorizer`` CloudFormation resource provider - missing in the community build.
* an ``on_infra_start`` hook that evaluates Lambda authorizers on execute-api calls, which the
  community build never does.
* ``on_infra_start`` hooks for stack updates: a resource an update replaced stays in its
  stack's resources (the CloudFormation engine dropped it with its old copy), a function's
  changed version is published and its alias moves to it (the providers had no update).
"""

__version__ = "0.1.0"
