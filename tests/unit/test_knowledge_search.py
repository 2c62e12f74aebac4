"""The search kit (ADR 0022): normalisation, the tax dictionary and synonyms, filters,
highlights, the artefact, and the corpus of a day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from etax.errors import Invalid
from etax.knowledge.artefact import MAGIC, BadArtefact, header
from etax.knowledge.articles import Article, Citation, article_of
from etax.knowledge.search import Document, SearchIndex, documents_of, highlights, terms
from etax.knowledge.text import content, fold, normalise, read_lexicon
from etax.regulations.model import Act, Change, amended
from etax.regulations.seeds import corpus

DAY = date(2026, 12, 4)


def article(article_id: str, question: str, answer: str, *, topic: str = "iit",
            types: tuple[str, ...] = ("natural_person",), valid_from: date = date(2024, 1, 1),
            valid_to: date | None = None) -> Article:
    return Article(article_id, topic, question, (), answer, (Citation("iit-law", "1"),),
                   (), types, valid_from, valid_to)


ARTICLES = (
    article("iit-reconciliation-window", "个人所得税综合所得年度汇算的时间是什么时候？",
            "综合所得年度汇算的时间为取得所得的次年3月1日至6月30日。"),
    article("cit-prepayment", "企业所得税什么时候预缴？",
            "企业所得税分月或者分季预缴，年度终了后五个月内汇算清缴。", topic="filing",
            types=("enterprise",)),
    article_of({"id": "vat-small-scale-levy", "topic": "vat",
                "question": "小规模纳税人的征收率是多少？",
                "also_asked": ["小规模 1% 还有吗"],
                "answer": "增值税小规模纳税人适用3%征收率的应税销售收入，减按1%征收率征收。",
                "citations": [{"work": "vat-small-scale-2023-19", "provision": "2"}],
                "taxpayer_types": ["small_scale", "individual_business"],
                "valid_from": "2023-01-01"}),
    article("special-invoice", "增值税专用发票可以由谁开具？", "一般纳税人可以开具增值税专用发票。",
            topic="invoice", types=("general_taxpayer",)),
    article("blacklist-repair", "被列为重大税收违法失信主体后可以修复信用吗？",
            "在公布期间按规定缴清税款、滞纳金和罚款的，可以申请提前停止公布。",
            topic="blacklist", types=("enterprise",)),
    article("expired", "一个过期的问题：个人所得税", "过期的回答。", valid_to=date(2020, 1, 1)),
)


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(documents_of(corpus(), ARTICLES, DAY))


# --- text -------------------------------------------------------------------------------------

def test_normalise_folds_width_case_traditional_and_english_aliases() -> None:
    assert normalise("ＶＡＴ") .strip() == "增值税"
    assert "个人所得税" in normalise("IIT 汇算 deadline")
    assert "截止" in normalise("deadline")
    assert normalise("個稅") == "个税"
    assert "vatican" in normalise("Vatican")  # an alias matches whole words only


def test_fold_keeps_the_length_for_highlights() -> None:
    text = "ＩＩＴ個稅年度匯算"
    assert len(fold(text)) == len(text)
    assert fold(text) == "iit个税年度汇算"


@pytest.mark.parametrize(("asked", "canonical"), [
    ("个税", "个人所得税"), ("汇算", "汇算清缴"), ("年度汇算", "汇算清缴"),
    ("专票", "增值税专用发票"),
    ("普票", "增值税普通发票"), ("数电票", "全面数字化的电子发票"), ("小规模", "小规模纳税人"),
    ("黑名单", "重大税收违法失信主体"), ("離境退稅", "离境退税"), ("IIT", "个人所得税"),
    ("VAT", "增值税"), ("deadline", "截止"),
    ("免征额", "起征点"), ("开发票", "开票"), ("专用发票", "增值税专用发票"), ("罚息", "滞纳金"),
    ("退钱", "退税"), ("交税", "缴税"), ("报税", "申报"), ("工资税", "个人所得税"),
    ("房租", "住房租金"), ("房贷", "住房贷款利息"), ("mortgage", "住房贷款利息"),
    ("職業資格證書", "职业资格证书"),
])
def test_synonyms_meet_on_the_canonical_term(asked: str, canonical: str) -> None:
    assert canonical in terms(asked)


def test_terms_drop_punctuation_and_stop_words_and_keep_repeats() -> None:
    found = terms("个税年度汇算什么时候截止？")
    assert "什么" not in found
    assert "？" not in found
    assert "时候" not in found
    assert found.count("汇算清缴") == 2  # 年度汇算 and the 汇算 inside it


def test_the_chatty_parts_of_a_question_are_left_out() -> None:
    found = terms("您好，请问一下我想问一下年终奖怎么算，谢谢")
    assert not {"您好", "请问", "想问一下", "谢谢"} & set(found)
    assert "全年一次性奖金" in found
    assert content("您好，请问一下年终奖怎么算，谢谢") == "年终奖怎么算"
    assert content("個稅起徵點") == "个税起征点"


def test_a_synonym_form_is_in_one_group_only() -> None:
    lexicon = read_lexicon()
    assert lexicon.synonyms["个税"] == "个人所得税"
    assert all(lexicon.synonyms[c] == c for c in set(lexicon.synonyms.values()))
    assert ("个税", 50_000) in lexicon.words  # every form joins the user dictionary


# --- search -----------------------------------------------------------------------------------

def test_a_colloquial_question_finds_the_article_through_synonyms(index: SearchIndex) -> None:
    hits = index.search("个税年度汇算啥时候截止？", kind="article", k=3)
    assert hits[0].id == "iit-reconciliation-window"
    # BM25 alone matched 企业所得税 text on 汇算清缴: the synonym of 个税 ranks it below
    assert [h.id for h in hits].index("cit-prepayment") > 0


def test_synonym_queries_find_the_provisions(index: SearchIndex) -> None:
    assert index.search("个税", kind="provision", k=1)[0].id.startswith("iit-")
    assert index.search("黑名单", kind="provision", k=1)[0].id.startswith(
        "major-violation-disclosure-54#")
    assert index.search("專票", kind="article", k=1)[0].id == "special-invoice"
    assert index.search("IIT deadline", k=1)[0].id.startswith("iit")


def test_hits_are_ordered_scored_and_bounded(index: SearchIndex) -> None:
    hits = index.search("增值税 小规模 1%", k=4)
    assert len(hits) == 4
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.score > 0 for h in hits)
    assert index.search("zzzz 完全无关的词汇组合qq") == []


def test_kind_and_filters(index: SearchIndex) -> None:
    laws = index.search("增值税 车船税 个税", kind="provision", k=50, filters={"type": "law"})
    assert laws
    assert all(h.facets["type"] == "law" for h in laws)
    sat = index.search("信用", kind="provision", k=50, filters={"issuer": "国家税务总局"})
    assert sat
    assert all("国家税务总局" in h.facets["issuer"].split(";") for h in sat)
    dated = index.search("增值税", kind="provision", k=50,
                         filters={"from": "2023-01-01", "to": "2023-12-31"})
    assert dated
    assert all("2023-01-01" <= h.facets["date"] <= "2023-12-31" for h in dated)
    small = index.search("征收率", kind="article", filters={"taxpayer_type": "small_scale"})
    assert [h.id for h in small] == ["vat-small-scale-levy"]
    assert index.search("征收率", kind="article", filters={"topic": "iit"}) == []
    assert all(h.kind == "article" for h in index.search("增值税", kind="article", k=50))


def test_a_filter_of_the_other_kind_or_unknown_is_refused(index: SearchIndex) -> None:
    with pytest.raises(Invalid) as refused:
        index.search("税", kind="article", filters={"issuer": "国务院"})
    assert refused.value.field == "issuer"
    with pytest.raises(Invalid) as unknown:
        index.search("税", filters={"colour": "red"})
    assert unknown.value.field == "colour"
    with pytest.raises(Invalid):
        index.search("税", kind="law")


def test_highlights_mark_the_synonym_forms_in_a_short_escaped_snippet() -> None:
    text = "前言" * 40 + "居民个人缴纳个人所得税。" + "<b>" + "后记" * 40
    marked = highlights(text, terms("个税"))
    assert marked[0].startswith("…")
    assert marked[0].endswith("…")
    assert "<em>个人所得税</em>" in marked[0]
    assert len(marked[0]) < 100
    assert "<em>" not in highlights("增值税专用发票", terms("个税"))[0]
    assert "&lt;b&gt;" in highlights("个人所得税<b>", terms("个税"))[0]


def test_the_corpus_of_a_day_takes_provisions_in_force_and_current_articles() -> None:
    documents = documents_of(corpus(), ARTICLES, DAY)
    ids = {d.id for d in documents}
    assert "iit-law#1" in ids
    assert "iit-reconciliation-window" in ids
    assert "expired" not in ids  # its validity ended
    provisions = [d for d in documents if d.kind == "provision"]
    assert all("#" in d.id and d.facets["work_id"] == d.id.split("#")[0] for d in provisions)
    before = {d.id for d in documents_of(corpus(), ARTICLES, date(1990, 1, 1))}
    assert "vat-law#1" not in before  # not yet in force then


def test_an_amendment_changes_what_is_found() -> None:
    work = next(w for w in corpus() if w.id == "vehicle-vessel-tax-law")
    new = amended(work.versions[-1], [Change("amend", 1, "示例修正文本：游艇另行规定。")],
                  Act("修正", "示例令第1号", date(2027, 1, 1)), date(2027, 2, 1))
    changed = replace(work, versions=(*work.versions, new))
    before = SearchIndex.build(documents_of([changed], [], date(2027, 1, 31)))
    after = SearchIndex.build(documents_of([changed], [], date(2027, 2, 1)))
    assert before.search("游艇") == []
    assert after.search("游艇", k=1)[0].id == "vehicle-vessel-tax-law#1"
    assert before.digest != after.digest


def test_build_refuses_two_documents_with_one_id() -> None:
    twice = [Document("a", "article", "t", "x"), Document("a", "article", "t", "y")]
    with pytest.raises(Invalid):
        SearchIndex.build(twice)


# --- the artefact -----------------------------------------------------------------------------

def test_the_artefact_round_trips_with_its_version_and_digest(index: SearchIndex) -> None:
    data = index.to_bytes()
    assert data.startswith(MAGIC)
    assert header(data)["digest"] == index.digest
    assert header(data)["format"] == 1
    loaded = SearchIndex.from_bytes(data)
    assert loaded.digest == index.digest
    assert len(loaded) == len(index)
    for query in ("个税", "离境退税", "黑名单", "小规模 1%"):
        assert loaded.search(query) == index.search(query)


def test_same_corpus_same_digest_and_bytes() -> None:
    one = SearchIndex.build(documents_of(corpus(), ARTICLES, DAY))
    two = SearchIndex.build(reversed(documents_of(corpus(), ARTICLES, DAY)))
    assert one.digest == two.digest
    assert one.to_bytes() == two.to_bytes()


@pytest.mark.parametrize("damage", ["magic", "version", "truncated", "flipped"])
def test_a_damaged_artefact_is_refused(index: SearchIndex, damage: str) -> None:
    data = bytearray(index.to_bytes())
    if damage == "magic":
        data[0:1] = b"X"
    elif damage == "version":
        data[8] = 99
    elif damage == "truncated":
        data = data[:-10]
    else:
        data[-5] ^= 0xFF
    with pytest.raises(BadArtefact):
        SearchIndex.from_bytes(bytes(data))
