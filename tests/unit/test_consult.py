"""The consultation's pure domain: the guard, the composed answer (citations as of the day,
confidence, related questions) over a small in-process index, the decision, the channels'
text and the hand-off's service level."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from etax.consult.asked import asked
from etax.consult.compose import Composer, confidence, simple_terms
from etax.consult.guard import Guard, domain_words, normalize
from etax.consult.local_index import Fused, LocalIndex, mixed_terms
from etax.consult.rules import (
    SMS_MAX_CHARS,
    THRESHOLD,
    Asker,
    decide,
    reply_for,
    sms_text,
    week_days,
    week_of,
    within_sla,
)
from etax.knowledge.articles import Article, Citation, base
from etax.knowledge.text import (
    USER_WORD_FREQUENCY,
    general_frequency,
    sound,
    tokenizer,
)
from etax.regulations.seeds import corpus


def article(id_: str, topic: str, question: str, answer: str, *also: str,
            cites: tuple[str, str] = ("iit-law", "2"), tags: tuple[str, ...] = (),
            valid_to: date | None = None) -> Article:
    return Article(id_, topic, question, also, answer, (Citation(*cites),), tags,
                   ("natural_person",), date(2019, 1, 1), valid_to)


ARTICLES = (
    article("iit-reconciliation-window", "iit", "个人所得税综合所得年度汇算在什么时间办理？",
            "综合所得年度汇算在取得所得的次年3月1日至6月30日内办理。",
            "个税汇算什么时候截止？", "年度汇算的办理期限是多久？", tags=("年度汇算", "汇算")),
    article("iit-children-education", "iit", "子女教育专项附加扣除的标准是多少？",
            "纳税人的子女接受全日制学历教育的相关支出，按照每个子女每月2000元的标准定额扣除。",
            "孩子上学个税能扣多少？", cites=("iit-special-additional-deductions", "5"),
            tags=("子女教育", "专项附加扣除")),
    article("vat-small-scale-levy", "vat", "小规模纳税人增值税征收率是多少？",
            "小规模纳税人适用3%征收率的应税销售收入，减按1%征收率征收增值税。",
            "小规模纳税人1%征收率", cites=("vat-small-scale-2023-19", "2"),
            tags=("小规模纳税人", "征收率")),
    article("departure-refund-who", "departure_refund", "境外旅客购物离境退税的条件是什么？",
            "境外旅客在退税商店购买退税物品，同一日同一店铺购买金额达到规定标准，且在规定期限内"
            "带离出境的，可申请退税。", "外国游客买东西怎么退税？",
            cites=("departure-refund-2015-3", "1"), tags=("离境退税",)),
    article("iit-old-window", "iit", "旧的汇算期限", "已废止的说法。",
            valid_to=date(2020, 12, 31)),
)
TODAY = date(2026, 12, 4)


@pytest.fixture(scope="module")
def composer() -> Composer:
    return Composer(LocalIndex(ARTICLES), ARTICLES, corpus())


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard(tag for a in ARTICLES for tag in a.tags)


# -- the guard ----------------------------------------------------------------------------

def test_normalize_simplifies_traditional_and_narrows_full_width() -> None:
    assert normalize("個稅　ＩＩＴ  匯算") == "个税 iit 汇算"
    assert "发票" in normalize("發票")


@pytest.mark.parametrize(("question", "kind"), [
    ("个税年度汇算什么时候截止？", "tax"),
    ("個稅匯算什麼時候截止", "tax"),
    ("IIT 汇算 deadline", "tax"),
    ("明天福州天气怎么样", "out_of_domain"),
    ("讲个笑话吧", "out_of_domain"),
    ("护照过期了怎么续办", "other_agency"),
    ("住房公积金怎么提取", "other_agency"),
    ("住房公积金能不能在个税里扣除", "tax"),
    ("我的退税到哪一步了", "own_records"),
    ("帮我查一下我的发票", "own_records"),
    ("我的年终奖怎么计税", "tax"),
    ("转人工", "human"),
    ("我要人工客服", "human"),
    ("退税金额超过多少要转人工审核", "tax"),
    ("专项扣除包括哪些保险和公积金", "tax"),
    ("交通违章罚款在哪里交", "other_agency"),
    ("租房合同押金不退怎么办", "out_of_domain"),
    ("你是机器人还是真人", "out_of_domain"),
])
def test_the_guard_reads_what_a_question_is(guard: Guard, question: str, kind: str) -> None:
    assert guard.read(question).kind == kind


def test_another_agencys_matter_names_the_agency(guard: Guard) -> None:
    intent = guard.read("护照过期了怎么续办")
    assert intent.agency == "出入境管理部门"
    assert "出入境管理部门" in reply_for(decide(intent, Asker("public"), None), intent)


# -- composing ----------------------------------------------------------------------------

def test_the_best_article_answers_with_its_citations_as_of_the_day(composer: Composer) -> None:
    composed = composer.compose("个税汇算什么时候截止？", TODAY)
    assert composed is not None
    assert composed.article.id == "iit-reconciliation-window"
    assert "3月1日至6月30日" in composed.text
    [cited] = composed.citations
    assert (cited.work_id, cited.label, cited.as_of) == ("iit-law", "第2条", "2026-12-04")
    assert cited.document_number == "中华人民共和国主席令第九号"
    assert "《中华人民共和国个人所得税法》（中华人民共和国主席令第九号）第2条（截至2026-12-04）" \
        in composed.text
    assert composed.confidence >= THRESHOLD
    assert len(composed.related) <= 3
    assert all(r.article_id != composed.article.id for r in composed.related)


def test_an_article_past_its_validity_is_not_served(composer: Composer) -> None:
    composed = composer.compose("旧的汇算期限", TODAY)
    assert composed is None or composed.article.id != "iit-old-window"


def test_nothing_retrieved_is_no_answer(composer: Composer) -> None:
    assert composer.compose("zzzz qqqq", TODAY) is None


def test_a_vague_question_has_a_low_confidence(composer: Composer) -> None:
    clear = composer.compose("小规模纳税人增值税征收率是多少", TODAY)
    vague = composer.compose("税率扣除退税标准", TODAY)
    assert clear is not None
    assert vague is not None
    assert vague.confidence < clear.confidence


@pytest.mark.parametrize(("coverage", "best", "second", "expected"), [
    (1.0, 10.0, 0.0, 1.0), (0.0, 10.0, 10.0, 0.0), (1.0, 10.0, 10.0, 0.3),
    (0.5, 10.0, 5.0, 0.5), (0.0, 0.0, 0.0, 0.0)])
def test_confidence_weighs_coverage_and_margin(coverage: float, best: float, second: float,
                                               expected: float) -> None:
    assert confidence(coverage, best, second) == pytest.approx(expected)


def test_simple_terms_pairs_chinese_and_keeps_latin_words() -> None:
    assert simple_terms("个税IIT汇算") == ["个税", "iit", "汇算"]


@dataclass(frozen=True)
class FixedHit:
    id: str
    score: float


class Fixed:
    """A retriever that answers the same hits (the protocol is all the composer needs)."""

    def __init__(self, *hits: FixedHit) -> None:
        self.hits = hits

    def search(self, query: str, k: int) -> list[FixedHit]:
        return list(self.hits[:k])


def test_fused_rankings_favour_what_both_find() -> None:
    both = Fused((Fixed(FixedHit("a", 10.0), FixedHit("b", 9.0)), 0.5),
                 (Fixed(FixedHit("b", 4.0), FixedHit("c", 2.0)), 0.5))
    assert [(h.id, h.score) for h in both.search("q", 3)] == [
        ("b", 0.95), ("a", 0.5), ("c", 0.25)]
    assert Fused((Fixed(), 0.4), (Fixed(FixedHit("c", 2.0)), 0.6)).search("q", 3)[0].score == 0.6


def test_fused_rankings_weigh_each_of_several() -> None:
    three = Fused((Fixed(FixedHit("a", 3.0)), 0.15), (Fixed(FixedHit("a", 1.0)), 0.15),
                  (Fixed(FixedHit("b", 8.0), FixedHit("a", 4.0)), 0.7))
    assert [(h.id, h.score) for h in three.search("q", 2)] == [("b", 0.7), ("a", 0.65)]


def test_a_question_asked_of_an_article_brings_its_wording_to_it() -> None:
    salary = article("a-salary", "iit", "工资薪金怎么交个税？", "按月累计预扣。")
    labour = article("b-labour", "iit", "劳务报酬怎么交个税？", "按次预扣预缴。")
    question = "接私单赚的钱怎么交个税"
    assert LocalIndex([salary, labour]).search(question, 1)[0].id == "a-salary"
    asked = LocalIndex([salary, labour], asked={"b-labour": ("周末接私单的收入要报税吗",)})
    assert asked.search(question, 1)[0].id == "b-labour"


def test_the_seeded_asked_questions_are_of_articles_of_the_base() -> None:
    ids = {a.id for a in base()}
    questions = asked()
    assert sum(map(len, questions.values())) >= 900
    assert set(questions) <= ids
    assert len(questions) == len(ids)  # every article has been asked of


def test_a_knowledge_base_s_own_words_are_those_it_uses_far_more_than_chinese_at_large() -> None:
    texts = ["纳税人抽中奖级后领取奖金，奖级以抽奖页面为准。",
             "同一奖级的奖金相同，奖级越高奖金越多。", "今天我们讨论奖级和奖金。"]
    own = domain_words(texts)
    assert {"奖级", "奖金"} <= own  # 5 and 4 uses, rare in Chinese at large
    assert not {"今天", "我们", "页面"} & own  # used once


def test_a_word_s_general_frequency_is_jieba_s_own_not_the_tax_dictionary_s() -> None:
    assert tokenizer().FREQ["汇算"] == USER_WORD_FREQUENCY  # the tax dictionary's count
    assert general_frequency("汇算")[0] < 100  # jieba's general corpus hardly has it
    count, total = general_frequency("今天")
    assert 1_000 < count < total


def test_a_question_with_two_of_the_base_s_own_words_is_read_as_tax() -> None:
    guard = Guard([], domain=["奖级", "奖品", "号码"])
    assert guard.read("抽中某奖级但奖品已发完，会改发吗").kind == "tax"
    assert guard.read("双色球下期号码预测").kind == "out_of_domain"  # one is not enough
    assert guard.read("明天福州天气怎么样").kind == "out_of_domain"


def test_mixed_terms_keep_words_pairs_and_characters() -> None:
    terms = mixed_terms(lambda text: ["个人所得税"])("個稅")
    assert terms == ("个人所得税", "个税", "个", "税")


def test_a_text_s_terms_are_read_once_for_every_index_that_asks() -> None:
    read: list[str] = []

    def words(text: str) -> list[str]:
        read.append(text)
        return [text]

    terms = mixed_terms(words)
    salary = article("a-salary", "iit", "工资薪金怎么交个税？", "按月累计预扣。")
    LocalIndex([salary], terms)
    LocalIndex([salary], terms, answers=True)  # its question form, read again: not segmented
    assert read == ["工资薪金怎么交个税？", "按月累计预扣。"]
    assert LocalIndex([salary], terms).search("工资薪金怎么交个税？", 1)[0].id == "a-salary"
    assert read.count("工资薪金怎么交个税？") == 1


def test_mixed_terms_pair_only_what_content_keeps() -> None:
    terms = mixed_terms(None, lambda text: "年终奖")("请问一下年终奖，谢谢")
    assert terms == ("年终", "终奖", "年", "终", "奖")


def test_a_pair_misspelt_with_a_character_of_the_same_sound_meets_its_pair() -> None:
    index = LocalIndex(ARTICLES)
    assert sound("退税") == sound("推税") == "~tui shui"
    refund = next(a.id for a in ARTICLES if "退税" in " ".join(a.questions))
    assert index.search("推税", 1)[0].id == refund


def test_an_everyday_word_tag_alone_is_not_tax_vocabulary() -> None:
    guard = Guard(["微信", "偶然所得"])
    assert guard.read("怎么注册一个微信公众号").kind == "out_of_domain"
    assert guard.read("偶然所得怎么算").kind == "tax"
    assert guard.read("微信上能交税吗").kind == "tax"  # a tax word besides


def test_the_guard_simplifies_with_the_search_kits_table_too() -> None:
    assert normalize("職業資格") == "职业资格"


def test_hits_of_unknown_articles_are_ignored() -> None:
    composer = Composer(Fixed(FixedHit("gone", 9.0), FixedHit("vat-small-scale-levy", 3.0)),
                        ARTICLES, corpus())
    composed = composer.compose("小规模纳税人征收率", TODAY)
    assert composed is not None
    assert composed.article.id == "vat-small-scale-levy"


# -- deciding -----------------------------------------------------------------------------

SIGNED_IN = Asker("350102199003071234", "350102199003071234", "13501000000")
UNREGISTERED = Asker("91350100M000100Y43", "91350100M000100Y43", None)
ANONYMOUS = Asker("public")


@pytest.mark.parametrize(("question", "asker", "score", "outcome", "reason"), [
    ("个税汇算什么时候截止", ANONYMOUS, 0.9, "answered", "answered"),
    ("个税汇算什么时候截止", SIGNED_IN, 0.1, "handed_off", "low_confidence"),
    ("个税汇算什么时候截止", ANONYMOUS, 0.1, "no_answer", "low_confidence"),
    ("个税汇算什么时候截止", SIGNED_IN, None, "handed_off", "nothing_found"),
    ("我的退税到哪一步了", SIGNED_IN, None, "handed_off", "own_records"),
    ("我的退税到哪一步了", ANONYMOUS, None, "no_answer", "sign_in"),
    ("我的退税到哪一步了", UNREGISTERED, None, "no_answer", "sign_in"),
    ("转人工", SIGNED_IN, None, "handed_off", "human"),
    ("明天福州天气怎么样", SIGNED_IN, 0.99, "refused", "out_of_domain"),
])
def test_the_decision(guard: Guard, question: str, asker: Asker, score: float | None,
                      outcome: str, reason: str) -> None:
    decision = decide(guard.read(question), asker, score)
    assert (decision.outcome, decision.reason) == (outcome, reason)


def test_an_anonymous_own_records_question_is_told_to_sign_in(guard: Guard) -> None:
    intent = guard.read("我的退税到哪一步了")
    assert "登录" in reply_for(decide(intent, ANONYMOUS, None), intent)


# -- channels, service level, weeks -------------------------------------------------------

def test_sms_keeps_a_short_answer_and_cuts_a_long_one_with_its_link() -> None:
    assert sms_text("短答复", "/v1/kb/articles/x") == "短答复"
    long = "长" * 400
    cut = sms_text(long, "/v1/kb/articles/x")
    assert len(cut) == SMS_MAX_CHARS
    assert cut.endswith("…详见/v1/kb/articles/x")
    assert long.startswith(cut.split("…")[0])


def test_the_service_level_counts_the_wait_until_claimed() -> None:
    queued = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
    assert within_sla(queued, queued + timedelta(minutes=30), 1800)
    assert not within_sla(queued, queued + timedelta(minutes=30, seconds=1), 1800)


def test_weeks_are_iso_weeks() -> None:
    assert week_of(date(2026, 12, 4)) == "2026-W49"
    assert week_days("2026-W49") == (date(2026, 11, 30), date(2026, 12, 6))


def test_a_shop_s_or_a_lender_s_matter_is_theirs_unless_a_tax_word_is_asked() -> None:
    guard = Guard(["退货", "房贷"])
    assert guard.read("淘宝买的衣服退货了，退款几天到账？").agency == "购物平台或消费者协会"
    assert guard.read("LPR降了，房贷月供会变吗").agency == "贷款银行"
    assert guard.read("淘宝买东西能开发票吗").kind == "tax"
    assert guard.read("提前还款的房贷利息还能在个税里扣除吗").kind == "tax"
