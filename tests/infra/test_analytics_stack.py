"""The analytical store's board (infra/analytics.py): its rule takes every fact of the bus but
notification requests, the archive and the compactor reach only their prefixes, and outside
``local`` the store's tables are declared for Athena as the schemas say (docs/analytics.md)."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template

from etax.analytics.schemas import ATHENA_TYPES, PARTITIONS, TABLES
from tests.infra.conftest import Synthesized


def resources(template: Template, kind: str) -> dict[str, Any]:
    return dict(template.find_resources(kind))


def test_every_fact_of_the_bus_is_archived_but_notification_requests(local: Template) -> None:
    [rule] = [r for r in resources(local, "AWS::Events::Rule").values()
              if "analytical store" in r["Properties"].get("Description", "")]
    assert rule["Properties"]["EventPattern"] == {
        "source": [{"prefix": "tax."}],
        "detail-type": [{"anything-but": ["NotificationRequested"]}]}


def test_outside_local_the_tables_are_declared_for_athena(local_synth: Synthesized,
                                                         prod_synth: Synthesized) -> None:
    assert not resources(local_synth.merged, "AWS::Glue::Table")
    assert not resources(local_synth.merged, "AWS::Athena::WorkGroup")
    declared = {t["Properties"]["TableInput"]["Name"]: t["Properties"]["TableInput"]
                for t in resources(prod_synth.merged, "AWS::Glue::Table").values()}
    assert set(declared) == {t.name for t in TABLES}
    [database] = resources(prod_synth.merged, "AWS::Glue::Database").values()
    assert database["Properties"]["DatabaseInput"]["Name"] == "etax_prod"
    for table in TABLES:
        found = declared[table.name]
        columns = found["StorageDescriptor"]["Columns"]
        assert [(c["Name"], c["Type"]) for c in columns] == [
            (c.name, ATHENA_TYPES[c.type]) for c in table.columns]
        assert [p["Name"] for p in found["PartitionKeys"]] == [p[0] for p in PARTITIONS]
        parameters = found["Parameters"]
        assert parameters["projection.enabled"] == "true"
        assert parameters["classification"] == "parquet"
        template = json.dumps(parameters["storage.location.template"])
        assert f"{table.prefix.rstrip('/')}/date=${{date}}/province=${{province}}" in template
    [workgroup] = resources(prod_synth.merged, "AWS::Athena::WorkGroup").values()
    configuration = workgroup["Properties"]["WorkGroupConfiguration"]
    assert configuration["EnforceWorkGroupConfiguration"] is True
    assert configuration["BytesScannedCutoffPerQuery"] == 200 * 1024 ** 3
    assert "athena-results/" in json.dumps(configuration["ResultConfiguration"])


def test_the_archive_writes_raw_only_and_the_reports_read_tables_only(prod: Template) -> None:
    policies = resources(prod, "AWS::IAM::Policy")
    by_role = {json.dumps(p["Properties"]["Roles"]): json.dumps(p["Properties"]["PolicyDocument"])
               for p in policies.values()}
    archive = [doc for role, doc in by_role.items() if "AnalyticsArchive" in role]
    reports = [doc for role, doc in by_role.items() if "AnalyticsFunctionServiceRole" in role]
    assert archive
    assert reports
    assert all("/tables/" not in doc for doc in archive)
    assert all("s3:PutObject" not in doc and "/raw/" not in doc for doc in reports)


def test_open_data_is_public_through_cloudfront_and_written_by_the_publisher_alone(
        local_synth: Synthesized, prod_synth: Synthesized) -> None:
    """The open-data bucket is private and read outside ``local`` through CloudFront's
    origin access control; the publisher alone writes it, under ``open-data/`` only, and reads
    the store's tables, never its raw archive; the routes' function only reads; the publisher
    runs every day."""
    assert not resources(local_synth.merged, "AWS::CloudFront::Distribution")  # LocalStack's S3
    prod = prod_synth.merged
    [distribution] = [d for k, d in resources(prod, "AWS::CloudFront::Distribution").items()
                      if "OpenData" in k]
    [origin] = distribution["Properties"]["DistributionConfig"]["Origins"]
    assert "OriginAccessControlId" in origin
    buckets = {k: b for k, b in resources(prod, "AWS::S3::Bucket").items() if "OpenData" in k}
    [bucket] = buckets.values()
    assert bucket["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    policies = {json.dumps(p["Properties"]["Roles"]): json.dumps(p["Properties"]["PolicyDocument"])
                for p in resources(prod, "AWS::IAM::Policy").values()}
    [publisher] = [doc for role, doc in policies.items() if "OpenDataPublisher" in role]
    [routes] = [doc for role, doc in policies.items()
                if "OpenDataOpenDataFunction" in role or "OpenDataFunctionServiceRole" in role]
    assert "/open-data/*" in publisher
    assert "/tables/*" in publisher
    assert "/raw/" not in publisher
    assert "s3:PutObject" not in routes
    assert "s3:DeleteObject" not in publisher
    [schedule] = [r for r in resources(prod, "AWS::Events::Rule").values()
                  if "open data" in r["Properties"].get("Description", "")]
    assert schedule["Properties"]["ScheduleExpression"] == "cron(0 20 * * ? *)"


def test_the_risk_run_is_scheduled_daily_and_reads_tables_only(prod: Template) -> None:
    """The risk indicators' run each day at 03:00 Asia/Shanghai (19:00 UTC), reading the
    tables (never the raw archive, never writing the store), writing the watch-list's cases."""
    rules = [r["Properties"] for r in resources(prod, "AWS::Events::Rule").values()
             if "risk indicators" in r["Properties"].get("Description", "")
             and "ScheduleExpression" in r["Properties"]]
    assert [r["ScheduleExpression"] for r in rules] == ["cron(0 19 * * ? *)"]
    from tests.infra.test_invoices_stack import policy_statements

    run = json.dumps(policy_statements(prod, "analytics_risk"))
    assert "/tables/" in run
    assert "/raw/" not in run
    assert "s3:PutObject" not in run
    assert "dynamodb:Scan" not in run
    assert "events:PutEvents" in run


def test_the_briefing_is_scheduled_each_morning_and_reads_tables_only(prod: Template) -> None:
    """The daily revenue briefing at 07:30 Asia/Shanghai (23:30 UTC), reading the tables and
    the plans and subscriptions (never writing the store or the analytics table),
    announcing on the bus."""
    rules = [r["Properties"] for r in resources(prod, "AWS::Events::Rule").values()
             if "revenue to the officers" in r["Properties"].get("Description", "")]
    assert [r["ScheduleExpression"] for r in rules] == ["cron(30 23 * * ? *)"]
    from tests.infra.test_invoices_stack import policy_statements

    briefing = json.dumps(policy_statements(prod, "analytics_briefing"))
    assert "/tables/" in briefing
    assert "/raw/" not in briefing
    for never in ("s3:PutObject", "dynamodb:PutItem", "dynamodb:UpdateItem",
                  "dynamodb:DeleteItem", "dynamodb:Scan"):
        assert never not in briefing, never
    assert "events:PutEvents" in briefing
