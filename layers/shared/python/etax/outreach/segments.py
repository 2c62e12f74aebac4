"""A subscriber's place in the segments, a segment's partitions, and who may target whom.
Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from etax.errors import Invalid, Refused
from etax.outreach.catalogue import MAX_PARTITIONS, PROVINCES, TAXPAYER_TYPES, TOPICS

SEP: Final = "#"


@dataclass(frozen=True, slots=True)
class Profile:
    """A subscriber's topics and the registry's facts about it (never the request's)."""

    subscriber: str
    topics: tuple[str, ...]
    province: str
    taxpayer_type: str
    industry: str = ""

    def members(self) -> list[tuple[str, str]]:
        """The (pk, sk) of its member item in each topic's segment partition."""
        return [(partition(topic, self.province, self.taxpayer_type),
                 member(self.industry, self.subscriber)) for topic in self.topics]


def partition(topic: str, province: str, taxpayer_type: str) -> str:
    return SEP.join(("segment", topic, province, taxpayer_type))


def member(industry: str, subscriber: str) -> str:
    return f"{industry.replace(SEP, ' ')}{SEP}{subscriber}"


def subscriber_of(sk: str) -> str:
    return sk.rsplit(SEP, 1)[1]


@dataclass(frozen=True, slots=True)
class Segment:
    """Who a mailing is for: subscribers of any of ``topics``, registered in any of
    ``provinces``, of any of ``taxpayer_types``, and (when given) of one of ``industries``."""

    topics: tuple[str, ...]
    provinces: tuple[str, ...]
    taxpayer_types: tuple[str, ...]
    industries: tuple[str, ...] = ()

    def partitions(self) -> list[str]:
        return [partition(t, p, k) for t in self.topics for p in self.provinces
                for k in self.taxpayer_types]

    def prefixes(self) -> list[str | None]:
        """The sort-key prefix of each Query in a partition (None: the whole partition)."""
        return [f"{i.replace(SEP, ' ')}{SEP}" for i in self.industries] or [None]

    def to_dict(self) -> dict[str, list[str]]:
        return {"topics": list(self.topics), "provinces": list(self.provinces),
                "taxpayer_types": list(self.taxpayer_types),
                "industries": list(self.industries)}


def _known(values: list[str], catalogue: dict[str, str], field: str,
           within: str = "") -> tuple[str, ...]:
    chosen: list[str] = []
    for index, value in enumerate(values):
        if value not in catalogue:
            raise Invalid(f"unknown {field[:-1].replace('_', ' ')} {value!r}; one of "
                          f"{', '.join(catalogue)}", field=f"{within}{field}[{index}]")
        if value not in chosen:
            chosen.append(value)
    return tuple(chosen)


def checked_topics(topics: list[str]) -> tuple[str, ...]:
    """The topics asked for, each once, in the order given; an unknown one is Invalid naming
    its place (``topics[1]``)."""
    return _known(topics, TOPICS, "topics")


def segment_of(topics: list[str], provinces: list[str], taxpayer_types: list[str],
               industries: list[str], within: str = "segment.") -> Segment:
    """The segment asked for, each value once; an unknown one is Invalid naming its place
    (``segment.provinces[1]``)."""
    segment = Segment(_known(topics, TOPICS, "topics", within),
                      _known(provinces, PROVINCES, "provinces", within),
                      _known(taxpayer_types, TAXPAYER_TYPES, "taxpayer_types", within),
                      tuple(dict.fromkeys(i.strip() for i in industries if i.strip())))
    if len(segment.partitions()) * len(segment.prefixes()) > MAX_PARTITIONS:
        raise Invalid(f"a segment is at most {MAX_PARTITIONS} combinations of topic, province, "
                      "taxpayer type and industry", field=within.rstrip(".") or "segment")
    return segment


def ensure_reach(segment: Segment, role: str, office_province: str | None) -> None:
    """An officer targets only its own province's taxpayers; an admin any."""
    if role == "admin":
        return
    outside = [p for p in segment.provinces if p != office_province]
    if outside:
        raise Refused(f"an officer of this office may target its own province only, not "
                        f"{', '.join(outside)}", field="segment.provinces")


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
