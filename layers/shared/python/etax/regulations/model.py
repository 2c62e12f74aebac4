"""Works, versions and provisions, and reading a work as of a date (ADR 0021). Pure.

A **work** is one document (a law, a State Council regulation, an SAT announcement…) with its
number (文号), issuers and dates. Its **versions** are complete texts: version 1 as first in
force, each later one made by an amending act and in force from its ``valid_from``; a version's
``valid_to`` is not stored but is the next version's ``valid_from``, so a published version is
never written again (immutable). A version holds every **provision** (条/款) the work has had,
each with its own status in that version: in force, amended by that version's act, repealed
(kept as a tombstone, so a reader is told it is gone), or in force only from a later date of its
own (``in_force_from``). A work repealed in full is a last version whose provisions are all
repealed.

Reading as of a day (China time: the caller gives a calendar date) picks the version in force
that day and answers exactly the provisions in force that day, with a note for each one that is
not (repealed, or not yet in force). The work's validity (现行有效 / 已修改 / 部分失效 /
全文废止 / 尚未生效) is derived from the same facts for that day, never stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Final, Literal

from etax.errors import Invalid, Malformed

KINDS: Final = {
    "law": "法律",
    "administrative_regulation": "行政法规",
    "state_council_document": "国务院规范性文件",
    "national_standard": "国家标准",
    "sat_order": "国家税务总局令（部门规章）",
    "sat_announcement": "税务规范性文件（公告）",
    "joint_announcement": "财政部 税务总局等联合公告",
    "treaty": "税收协定",
}

IN_FORCE: Final = "现行有效"
AMENDED: Final = "已修改"
PARTLY_REPEALED: Final = "部分失效"
REPEALED: Final = "全文废止"
NOT_YET: Final = "尚未生效"
EXPIRED: Final = "全文失效"  # a measure with a term (执行至…) after its last day
STATUSES: Final = (IN_FORCE, AMENDED, PARTLY_REPEALED, REPEALED, NOT_YET, EXPIRED)

ProvisionStatus = Literal["in_force", "amended", "added", "repealed"]
PROVISION_STATUSES: Final = ("in_force", "amended", "added", "repealed")


def parse_date(value: str | None, name: str) -> date:
    """A calendar date ``YYYY-MM-DD`` (China time); anything else, or an impossible date, is
    a :class:`Malformed` naming ``name``."""
    if value is None or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise Malformed(f"{name} must be a date YYYY-MM-DD", field=name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Malformed(f"{name} {value!r} is not a date of the calendar", field=name) from None


@dataclass(frozen=True, slots=True)
class Act:
    """The act that made a version: the work's own promulgation or an amending document."""

    title: str
    document_number: str
    issued: date


@dataclass(frozen=True, slots=True)
class Provision:
    """One 条 (``article``) or 款 of it (``paragraph``), its text and its status in a version.

    ``summary`` marks a text written in the platform's own words where the official wording is
    not at hand; the answer shows it as a summary. ``in_force_from`` is a later start of this
    provision alone (a transitional clause)."""

    article: int
    text: str
    paragraph: int | None = None
    status: ProvisionStatus = "in_force"
    summary: bool = False
    in_force_from: date | None = None

    @property
    def key(self) -> str:
        return f"{self.article}" if self.paragraph is None else f"{self.article}.{self.paragraph}"

    @property
    def label(self) -> str:
        article = f"第{self.article}条"
        return article if self.paragraph is None else f"{article}第{self.paragraph}款"

    def in_force_on(self, day: date) -> bool:
        if self.status == "repealed":
            return False
        return self.in_force_from is None or self.in_force_from <= day


@dataclass(frozen=True, slots=True)
class Version:
    number: int
    valid_from: date
    act: Act
    provisions: tuple[Provision, ...]

    def provision(self, key: str) -> Provision | None:
        return next((p for p in self.provisions if p.key == key), None)


@dataclass(frozen=True, slots=True)
class Work:
    id: str
    title: str
    kind: str
    document_number: str
    issuers: tuple[str, ...]
    issued: date
    versions: tuple[Version, ...] = field(default=())
    expires: date | None = None  # the last day of a measure with a term (执行至…)

    @property
    def in_force(self) -> date | None:
        return self.versions[0].valid_from if self.versions else None

    def version_on(self, day: date) -> Version | None:
        """The version in force on ``day``: the last one whose ``valid_from`` ≤ day."""
        current = None
        for version in self.versions:
            if version.valid_from <= day:
                current = version
        return current

    def valid_to(self, version: Version) -> date | None:
        """The day the next version takes over (None while it is the last)."""
        later = [v.valid_from for v in self.versions if v.number == version.number + 1]
        return later[0] if later else None

    def status_on(self, day: date) -> str:
        """The work's validity on ``day``, derived from its versions."""
        version = self.version_on(day)
        if version is None:
            return NOT_YET
        if self.expires is not None and day > self.expires:
            return EXPIRED
        live = [p for p in version.provisions if p.status != "repealed"]
        if not live:
            return REPEALED
        if len(live) < len(version.provisions):
            return PARTLY_REPEALED
        if version.number > 1:
            return AMENDED
        return IN_FORCE

    def check(self) -> None:
        """The work's facts hold together (a seed, or a version about to be added)."""
        if self.kind not in KINDS:
            raise Invalid(f"{self.id}: unknown kind {self.kind}", field="kind")
        if not self.versions:
            raise Invalid(f"{self.id}: a work has at least one version", field="versions")
        if self.versions[0].valid_from < self.issued:
            raise Invalid(f"{self.id}: in force before it was issued", field="versions[0]")
        for index, version in enumerate(self.versions):
            where = f"versions[{index}]"
            if version.number != index + 1:
                raise Invalid(f"{self.id}: versions are numbered 1, 2, …", field=where)
            if self.expires is not None and version.valid_from > self.expires:
                raise Invalid(f"{self.id}: a version starts after the work expired", field=where)
            if index and version.valid_from <= self.versions[index - 1].valid_from:
                raise Invalid(f"{self.id}: a version starts after the one before", field=where)
            keys = [p.key for p in version.provisions]
            if len(set(keys)) != len(keys):
                raise Invalid(f"{self.id}: a provision twice in version {version.number}",
                              field=where)
            previous = self.versions[index - 1] if index else None
            if previous is not None and {p.key for p in previous.provisions} - set(keys):
                raise Invalid(f"{self.id}: version {version.number} drops a provision "
                              "(repeal it instead)", field=where)
            for p in version.provisions:
                _check_provision(self.id, version, previous, p, where)


def _check_provision(work_id: str, version: Version, previous: Version | None, p: Provision,
                     where: str) -> None:
    before = previous.provision(p.key) if previous else None
    name = f"{where}.provisions[{p.key}]"
    if p.status not in PROVISION_STATUSES:
        raise Invalid(f"{work_id}: {p.label} has an unknown status", field=name)
    if not p.text.strip():
        raise Invalid(f"{work_id}: {p.label} has no text", field=name)
    if previous is None and p.status != "in_force":
        raise Invalid(f"{work_id}: the first version amends nothing ({p.label})", field=name)
    if p.status == "amended" and (before is None or before.status == "repealed"):
        raise Invalid(f"{work_id}: {p.label} amended but not in the version before",
                      field=name)
    if p.status == "added" and before is not None and before.status != "repealed":
        raise Invalid(f"{work_id}: {p.label} added but already there", field=name)
    if p.status == "in_force" and previous is not None and (
            before is None or before.status == "repealed" or before.text != p.text):
        raise Invalid(f"{work_id}: {p.label} changed without being marked amended or added",
                      field=name)
    if p.in_force_from is not None and p.in_force_from <= version.valid_from:
        raise Invalid(f"{work_id}: {p.label} starts no later than its version", field=name)


@dataclass(frozen=True, slots=True)
class Change:
    """One change a draft makes to the current version: ``amend`` or ``repeal`` a provision
    that is in force, or ``add`` one that is not there."""

    action: Literal["amend", "repeal", "add"]
    article: int
    text: str = ""
    paragraph: int | None = None
    summary: bool = False

    @property
    def key(self) -> str:
        return f"{self.article}" if self.paragraph is None else f"{self.article}.{self.paragraph}"


STATUS_OF_CHANGE: Final[dict[str, ProvisionStatus]] = {
    "amend": "amended", "add": "added", "repeal": "repealed"}


def amended(current: Version, changes: Sequence[Change], act: Act, valid_from: date) -> Version:
    """The next version: ``current``'s provisions with ``changes`` applied (every other
    provision carried over as in force; a tombstone stays repealed)."""
    if not changes:
        raise Invalid("a draft changes at least one provision", field="changes")
    if valid_from <= current.valid_from:
        raise Invalid(f"valid_from must be after the current version's start "
                      f"({current.valid_from.isoformat()})", field="valid_from")
    by_key = {c.key: (i, c) for i, c in enumerate(changes)}
    if len(by_key) != len(changes):
        raise Invalid("a provision is changed twice", field="changes")
    provisions: list[Provision] = []
    for p in current.provisions:
        carried = p if p.status == "repealed" else replace(p, status="in_force")
        if carried.in_force_from is not None and carried.in_force_from <= valid_from:
            carried = replace(carried, in_force_from=None)
        entry = by_key.pop(p.key, None)
        if entry is None:
            provisions.append(carried)
            continue
        index, change = entry
        where = f"changes[{index}]"
        live = p.status != "repealed"
        if change.action == "add" and live:
            raise Invalid(f"{p.label} exists already: amend it", field=where)
        if change.action in ("amend", "repeal") and not live:
            raise Invalid(f"{p.label} is repealed: it can only be added again", field=where)
        text = p.text if change.action == "repeal" else change.text
        if not text.strip():
            raise Invalid(f"{p.label} needs its new text", field=f"{where}.text")
        provisions.append(Provision(p.article, text, p.paragraph,
                                    STATUS_OF_CHANGE[change.action],
                                    change.summary if change.action != "repeal" else p.summary))
    for index, change in sorted(by_key.values()):
        if change.action != "add":
            raise Invalid(f"the work has no provision {change.key}", field=f"changes[{index}]")
        if not change.text.strip():
            raise Invalid("an added provision needs its text", field=f"changes[{index}].text")
        provisions.append(Provision(change.article, change.text, change.paragraph, "added",
                                    change.summary))
    provisions.sort(key=lambda p: (p.article, p.paragraph or 0))
    return Version(current.number + 1, valid_from, act, tuple(provisions))


@dataclass(frozen=True, slots=True)
class Note:
    provision: str
    note: str


@dataclass(frozen=True, slots=True)
class Reading:
    """A work as of a day: the version in force and exactly the provisions in force."""

    work: Work
    as_of: date
    status: str
    version: Version | None
    valid_to: date | None
    provisions: tuple[Provision, ...]
    notes: tuple[Note, ...]


def read(work: Work, day: date) -> Reading:
    version = work.version_on(day)
    status = work.status_on(day)
    if version is None:
        first = work.in_force
        not_yet = Note("*", f"尚未生效：自{first.isoformat()}起施行" if first else "尚未生效")
        return Reading(work, day, status, None, None, (), (not_yet,))
    if status == EXPIRED and work.expires is not None:
        expired = Note("*", f"全文失效：执行至{work.expires.isoformat()}")
        return Reading(work, day, status, version, work.valid_to(version), (), (expired,))
    provisions: list[Provision] = []
    notes: list[Note] = []
    for p in version.provisions:
        if p.in_force_on(day):
            provisions.append(p)
        elif p.status == "repealed":
            by = repealing_version(work, version, p.key)
            notes.append(Note(p.label, f"{p.label}已由{by.act.title}"
                                       f"（{by.act.document_number}）废止，"
                                       f"自{by.valid_from.isoformat()}起失效"))
        elif p.in_force_from is not None:
            notes.append(Note(p.label, f"{p.label}尚未生效：自{p.in_force_from.isoformat()}起施行"))
    return Reading(work, day, status, version, work.valid_to(version), tuple(provisions),
                   tuple(notes))


def repealing_version(work: Work, version: Version, key: str) -> Version:
    """The version whose act repealed provision ``key`` (repealed in ``version``)."""
    found = version
    for earlier in reversed(work.versions[: version.number - 1]):
        p = earlier.provision(key)
        if p is None or p.status != "repealed":
            break
        found = earlier
    return found
