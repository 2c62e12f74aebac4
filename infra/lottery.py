"""Board C, invoice services: the instant invoice lottery with payouts (plan action C11).

Resources: the lottery table (campaigns, periods with sealed seeds, the region index,
inventory shards, per-person counters with TTL), the draws table (one item per invoice
ever, a ``by_period`` index for the export, a stream as the outbox of prize events), the
simulated payment providers' ledger, a dedicated symmetric KMS key for the seeds (only the
lottery API function may decrypt), the API function, the stream → bus function, and the
payout pipeline: ``PrizeWon`` rule → queue (+ dead letters, alarm) → payout worker.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.lottery.tables import DRAWS, LOTTERY, PAYOUT_LEDGER
from infra.platform import Platform
from infra.platform.data import grant
from infra.platform.events import MAX_RECEIVE_COUNT
from infra.platform.keys import deny_all_but


class Lottery(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 invoices: dynamodb.Table) -> None:
        super().__init__(scope, construct_id)
        removal = RemovalPolicy.RETAIN if platform.retain else RemovalPolicy.DESTROY
        self.table = platform.table(self, LOTTERY)
        self.draws = platform.table(self, DRAWS)
        # the simulated payment providers' books
        self.ledger = platform.simulation_table(self, PAYOUT_LEDGER)
        self.seed_key = kms.Key(
            self, "SeedKey",
            description="Seals the invoice lottery's period seeds (only the lottery decrypts)",
            enable_key_rotation=True,
            removal_policy=removal,
        )

        # the API: campaigns, the scan, draws
        self.api_function: lambda_.Function = platform.function(
            self, "lottery",
            description="C11: invoice lottery campaigns, the instant draw, draws and payouts",
            environment={"LOTTERY_TABLE": self.table.table_name,
                         "LOTTERY_DRAWS_TABLE": self.draws.table_name,
                         "INVOICES_TABLE": invoices.table_name,
                         "LOTTERY_SEED_KEY_ID": self.seed_key.key_id},
            idempotent=True,
            memory_size=512,
        )
        grant(self.api_function, self.table, "GetItem", "Query", "PutItem", "UpdateItem",
              "BatchGetItem", "BatchWriteItem", "ConditionCheckItem")  # no Scan: Queries only
        grant(self.api_function, self.draws, "GetItem", "PutItem", query=["by_period"])
        grant(self.api_function, invoices, "GetItem")  # read the facts, nothing else
        self.seed_key.grant(self.api_function, "kms:Encrypt", "kms:Decrypt")
        assert self.api_function.role is not None, "a function made by the platform has its role"
        deny_all_but(self.seed_key, sid="OnlyTheLotteryDecryptsSeeds", action="kms:Decrypt",
                     principals=self.api_function.role.role_arn)
        api = platform.api
        api.route("POST", "/v1/lottery/campaigns", self.api_function)
        api.routes(self.api_function, "GET /v1/lottery/campaigns/{campaign_id}",
                   "GET /v1/lottery/campaigns/{campaign_id}/periods/{index}/export", public=True)
        api.routes(self.api_function, "POST /v1/lottery/scan", "GET /v1/lottery/draws/{number}")

        # the outbox: the draws table's stream announces PrizeWon / PrizePaid / …Failed
        self.stream_failures = platform.outbox(
            self, "LotteryStream", table=self.draws, name="lottery_events",
            description="Announces lottery facts on the bus from the draws table's stream",
        ).failures

        # the payout pipeline: PrizeWon → queue → worker → provider → paid
        self.payout_function: lambda_.Function = platform.function(
            self, "lottery_payout",
            description="Pays won prizes through the provider of the chosen method",
            environment={
                "LOTTERY_TABLE": self.table.table_name,
                "LOTTERY_DRAWS_TABLE": self.draws.table_name,
                "PAYOUT_MAX_RECEIVES": str(MAX_RECEIVE_COUNT),
                "PAYOUT_BACKOFF_SECONDS": "2" if platform.config.is_local else "30",
                "PAYOUT_TIMEOUT_SECONDS": "2",
                **(platform.simulated("payout", LOTTERY_LEDGER_TABLE=self.ledger.table_name,
                                      PAYOUT_SIMULATED_SLOW_SECONDS="4")
                   if self.ledger is not None else {}),
            },
            timeout=Duration.seconds(15),
        )
        grant(self.payout_function, self.draws, "GetItem", "UpdateItem")
        if self.ledger is not None:
            grant(self.payout_function, self.ledger, "GetItem", "PutItem",
                  "UpdateItem")  # the simulated providers' books
        self.payouts = platform.consumer(self, "Payouts", function=self.payout_function,
                                         batch_size=5)
        self.payout_function.add_environment("PAYOUT_QUEUE_URL", self.payouts.queue.queue_url)
        self.prize_won_rule = platform.rule(
            self, "PrizeWonRule", description="Won prizes go to the payout queue",
            pattern=events.EventPattern(source=["tax.lottery"], detail_type=["PrizeWon"]),
            to=self.payouts)
