"""Bank–tax consents: the routes' logic (plan action D14; the rules: :mod:`etax.sharing.consents`).

Who may do what — written here once:

* a taxpayer signed in by its credit code grants, answers, revokes and lists its own consents
  and sees every read made under them; another taxpayer's consent is answered 404, as if it
  did not exist; a natural person has no bank–tax consents (403);
* a partner whose token names an agreement in force asks for consents, sees its own, and reads
  a taxpayer's scope only while a consent of that taxpayer to that partner is Authorised, not
  expired and names the scope — each read logged in the transaction that checks it;
* everything a partner reads comes from the platform's records, as of the read.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Protocol

from etax.errors import Invalid, NotFound, Refused
from etax.filing.repository import Obligation, Payment
from etax.platform.auth import Principal
from etax.platform.privacy import mask_identifier
from etax.rules import resident_id, uscc
from etax.rules.dates import business_date
from etax.sharing import consents, scopes
from etax.sharing.consents import Agreements, Consent
from etax.sharing.repository import ConsentWithdrawn, stamp
from etax.sharing.requests import ConsentAsk, DecisionRequest, GrantRequest
from etax.sharing.results import (
    Consents,
    ConsentView,
    PartnerData,
    Reads,
    ReadView,
    Receipt,
)

RECEIPT_VERSION = "KI-CR-v1.1.0"
PAGE = 50


class Store(Protocol):
    def create(self, consent: Consent, *, guard: bool) -> None: ...

    def get(self, consent_id: str) -> Consent | None: ...

    def move(self, before: Consent, after: Consent) -> None: ...

    def of_taxpayer(self, taxpayer: str, cursor: str | None,
                    limit: int) -> tuple[list[Consent], str | None]: ...

    def of_pair(self, partner: str, taxpayer: str) -> list[Consent]: ...

    def record_read(self, consent: Consent, scope: str, read_id: str,
                    now: datetime) -> None: ...

    def reads(self, consent_id: str, cursor: str | None,
              limit: int) -> tuple[list[dict[str, str]], str | None]: ...


class Ratings(Protocol):
    def latest(self, credit_code: str) -> scopes.RatingData | None: ...


class Filings(Protocol):
    def obligations_of(self, taxpayer: str) -> list[Obligation]: ...

    def confirmed_payments(self, taxpayer: str, start: date, end: date) -> list[Payment]: ...


class Sales(Protocol):
    def monthly_usage(self, credit_code: str, months: list[str]) -> dict[str, int]: ...


CONSENT_ID = re.compile(r"cns_[0-9a-f]{20}")


def _new_id() -> str:
    return "cns_" + secrets.token_hex(10)


def _enterprise(principal: Principal) -> str:
    """The signed-in enterprise's credit code; a natural person (resident ID) is refused."""
    if resident_id.is_valid(principal.subject) or not uscc.is_valid(principal.subject):
        raise Refused("bank–tax consents are an enterprise's: sign in by its credit code")
    return uscc.normalize(principal.subject)


def _credit_code(text: str) -> str:
    """A well-formed credit code with its check character right; else Invalid naming
    ``credit_code``."""
    try:
        code = uscc.parse(text)
    except uscc.MalformedCode as error:
        raise Invalid(f"not a credit code: {error.reason}", field="credit_code") from None
    if not code.checksum_valid:
        raise Invalid(f"not a credit code: its check character should be "
                      f"{code.expected_check_character}", field="credit_code")
    return code.code


@dataclass
class SharingService:
    store: Store
    ratings: Ratings
    filings: Filings
    sales: Sales
    agreements: Agreements = field(default_factory=Agreements.shipped)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    new_id: Callable[[], str] = _new_id

    def _clock(self) -> tuple[datetime, date]:
        now = self.now()
        return now, business_date(now)

    # -- the taxpayer ------------------------------------------------------------------------

    def grant(self, principal: Principal, body: GrantRequest) -> ConsentView:
        taxpayer = _enterprise(principal)
        now, today = self._clock()
        partner = self.agreements.partner(body.partner, today)
        granted = consents.check_terms(partner, body.scopes, body.purpose, body.expires_at, now)
        consent = Consent(consent_id=self.new_id(), taxpayer=taxpayer, partner=partner.id,
                          scopes=granted, purpose=body.purpose, status=consents.AUTHORISED,
                          created_at=now, created_by="taxpayer",
                          expires_at=body.expires_at.astimezone(UTC), updated_at=now,
                          authorised_at=now)
        self.store.create(consent, guard=False)
        return self.view_of(consent, now)

    def _find(self, consent_id: str) -> Consent | None:
        """The consent of a well-formed id (anything else is looked up nowhere)."""
        return self.store.get(consent_id) if CONSENT_ID.fullmatch(consent_id) else None

    def _own(self, principal: Principal, consent_id: str) -> Consent:
        """The taxpayer's own consent; another's, or none, is NotFound alike."""
        taxpayer = _enterprise(principal)
        consent = self._find(consent_id)
        if consent is None or consent.taxpayer != taxpayer:
            raise NotFound("no consent of yours with this id", field="consent_id")
        return consent

    def decide(self, principal: Principal, consent_id: str,
               body: DecisionRequest) -> ConsentView:
        consent = self._own(principal, consent_id)
        now, _ = self._clock()
        after = consents.decide(consent, body.decision == "authorise", now)
        self.store.move(consent, after)
        return self.view_of(after, now)

    def revoke(self, principal: Principal, consent_id: str) -> ConsentView:
        consent = self._own(principal, consent_id)
        now, _ = self._clock()
        after = consents.revoke(consent, now)
        self.store.move(consent, after)
        return self.view_of(after, now)

    def mine(self, principal: Principal, cursor: str | None, limit: int = PAGE) -> Consents:
        taxpayer = _enterprise(principal)
        now, _ = self._clock()
        found, next_cursor = self.store.of_taxpayer(taxpayer, cursor, limit)
        return Consents(items=[self.view_of(c, now) for c in found], cursor=next_cursor)

    def reads(self, principal: Principal, consent_id: str, cursor: str | None,
              limit: int = PAGE) -> Reads:
        consent = self._own(principal, consent_id)
        found, next_cursor = self.store.reads(consent.consent_id, cursor, limit)
        return Reads(consent_id=consent.consent_id, cursor=next_cursor, items=[
            ReadView(read_id=r["read_id"], scope=r["scope"], partner=r["partner"], at=r["at"])
            for r in found])

    def view(self, principal: Principal, consent_id: str) -> ConsentView:
        """The taxpayer's own consent, or the partner's own request or consent."""
        now, today = self._clock()
        if principal.role == "partner":
            partner = self.agreements.signed_partner(principal.subject, today)
            consent = self._find(consent_id)
            if consent is None or consent.partner != partner.id:
                raise NotFound("no consent given to you with this id", field="consent_id")
            return self.view_of(consent, now)
        if principal.role != "taxpayer":
            raise Refused("a consent is seen by its taxpayer and its partner only")
        return self.view_of(self._own(principal, consent_id), now)

    # -- the partner -------------------------------------------------------------------------

    def ask(self, principal: Principal, body: ConsentAsk) -> ConsentView:
        now, today = self._clock()
        partner = self.agreements.signed_partner(principal.subject, today)
        taxpayer = _credit_code(body.credit_code)
        asked = consents.check_terms(partner, body.scopes, body.purpose, body.expires_at, now)
        consent = Consent(consent_id=self.new_id(), taxpayer=taxpayer, partner=partner.id,
                          scopes=asked, purpose=body.purpose, status=consents.AWAITING,
                          created_at=now, created_by="partner",
                          expires_at=body.expires_at.astimezone(UTC), updated_at=now)
        self.store.create(consent, guard=True)
        return self.view_of(consent, now)

    def read(self, principal: Principal, credit_code: str, scope: str,
             consent_id: str | None = None) -> PartnerData:
        now, today = self._clock()
        partner = self.agreements.signed_partner(principal.subject, today)
        if scope not in scopes.SCOPES:
            raise NotFound(f"no such scope: the scopes are {', '.join(scopes.SCOPES)}",
                           field="scope")
        taxpayer = _credit_code(credit_code)
        if consent_id is not None:
            one = self._find(consent_id)
            candidates = [one] if one and one.partner == partner.id \
                and one.taxpayer == taxpayer else []
        else:
            candidates = self.store.of_pair(partner.id, taxpayer)
        consent = next((c for c in candidates if c.permits(scope, now)), None)
        if consent is None or scope not in partner.scopes:
            raise Refused(f"no consent of this taxpayer lets you read {scope} now: none was "
                          "given, or it was revoked, has expired or names other scopes")
        read_id = "rd_" + secrets.token_hex(8)
        try:
            self.store.record_read(consent, scope, read_id, now)
        except ConsentWithdrawn:
            raise Refused(f"consent {consent.consent_id} was revoked or expired "
                          "just now") from None
        answer = PartnerData(consent_id=consent.consent_id, read_id=read_id,
                             credit_code=taxpayer, scope=scope, purpose=consent.purpose,
                             read_at=stamp(now))
        span = scopes.window(today)
        if scope == "rating":
            return _with(answer, rating=self.ratings.latest(taxpayer))
        if scope == "tax_paid":
            paid = self.filings.confirmed_payments(taxpayer, span.first, span.last)
            return _with(answer, tax_paid=scopes.tax_paid(
                span, ((p.tax_type, p.amount_fen) for p in paid)))
        if scope == "sales":
            return _with(answer, sales=scopes.sales(
                span, self.sales.monthly_usage(taxpayer, span.months())))
        return _with(answer, returns=scopes.returns(span, (_obligation(o) for o in
                                                           self.filings.obligations_of(
                                                               taxpayer))))

    # -- views -------------------------------------------------------------------------------

    def view_of(self, consent: Consent, now: datetime) -> ConsentView:
        partner = self.agreements.partners.get(consent.partner)
        return ConsentView(
            consent_id=consent.consent_id, taxpayer=consent.taxpayer,
            partner=consent.partner, partner_name=partner.name if partner else "",
            agreement=partner.agreement if partner else "", scopes=list(consent.scopes),
            purpose=consent.purpose,
            purpose_text=self.agreements.purposes.get(consent.purpose, ""),
            status=consent.status_at(now), created_by=consent.created_by,
            created_at=stamp(consent.created_at), expires_at=stamp(consent.expires_at),
            authorised_at=_maybe(consent.authorised_at), ended_at=_maybe(consent.ended_at),
            reads=consent.reads, last_read_at=_maybe(consent.last_read_at),
            receipt=Receipt(
                version=RECEIPT_VERSION, jurisdiction="CN",
                consent_timestamp=stamp(consent.authorised_at or consent.created_at),
                collection_method=("granted by the taxpayer signed in to the platform"
                                   if consent.created_by == "taxpayer" else
                                   "asked by the partner, answered by the taxpayer signed in "
                                   "to the platform"),
                pii_principal_id=mask_identifier(consent.taxpayer),
                pii_controller="the tax authority (this platform)",
                purposes=[self.agreements.purposes.get(consent.purpose, consent.purpose)],
                services=[self.agreements.scopes.get(s, s) for s in consent.scopes]))


def _maybe(moment: datetime | None) -> str | None:
    return stamp(moment) if moment is not None else None


def _with(answer: PartnerData, **data: object) -> PartnerData:
    return replace(answer, **data)  # type: ignore[arg-type]


def _obligation(obligation: Obligation) -> dict[str, object]:
    filed_at = obligation.filed_at
    return {"tax_type": obligation.tax_type, "period": obligation.period,
            "due_date": obligation.due_date, "status": obligation.status,
            "filed_at": filed_at,
            "filed_on": business_date(datetime.fromisoformat(filed_at)) if filed_at else None,
            "tax_fen": obligation.ledger.tax_fen if obligation.ledger else None}
