// The regulations library and the 12366 knowledge base: one search over both (the provisions
// in force and the current answers, their matching words marked), a work read as of any day
// (its number, issuers and validity that day, exactly the provisions in force), and an answer
// with the provisions it rests on (or, while it is under review, the notice saying so).
import {
  alertText, api, busy, element, facts, highlighted, known, page, problemText, t,
} from "./common.js";

const STATUS_KEYS = {
  现行有效: "in_force", 已修改: "amended", 部分失效: "partly_repealed", 全文废止: "repealed",
  尚未生效: "not_yet", 全文失效: "expired",
};
const ZH = "zh-CN"; // the library's and the answers' own text is Chinese in either language

const shown = {}; // the last search, work and article, to redraw on a language switch

function validity(status) {
  return status in STATUS_KEYS ? t(`wstatus_${STATUS_KEYS[status]}`) : status;
}

function kind(value, fallback) {
  return known(`kind_${value}`, fallback ?? value);
}

function opener(key, open) {
  const button = element("button", t(key), { type: "button" });
  button.addEventListener("click", open);
  return button;
}

/** A hit's title: a heading whose text opens what it names. */
function title(text, open) {
  const heading = element("h4", null, { lang: ZH });
  const button = element("button", text, { type: "button", class: "title" });
  button.addEventListener("click", open);
  heading.append(button);
  return heading;
}

function hitList(hits, emptyKey, render) {
  if (!hits.length) return element("p", t(emptyKey), { class: "empty" });
  const list = element("ol", null, { class: "hits" });
  list.append(...hits.map((hit) => {
    const item = element("li");
    render(item, hit);
    return item;
  }));
  return list;
}

function showResults() {
  const found = shown.results;
  if (!found) return;
  const { q, provisions, articles } = found;
  document.getElementById("results-heading").textContent = t("kb_results_for", { q });
  const body = document.getElementById("results-body");
  body.replaceChildren(
    element("h3", t("kb_provisions", { count: provisions.length })),
    hitList(provisions, "kb_no_provisions", (item, hit) => {
      item.append(title(hit.title, () => openWork(hit.work_id)),
        ...hit.highlights.map(highlighted), element("p", [hit.document_number,
          (hit.issuers ?? []).join("、"), kind(hit.type), validity(hit.status)].join(" · "),
        { class: "hint" }));
    }),
    element("h3", t("kb_articles", { count: articles.length })),
    hitList(articles, "kb_no_articles", (item, hit) => {
      item.append(title(hit.title, () => openArticle(hit.id)),
        ...hit.highlights.map(highlighted),
        element("p", known(`topic_${hit.topic}`, hit.topic), { class: "hint" }));
    }),
  );
  document.getElementById("results").hidden = false;
}

async function search(form) {
  const q = form.q.value.trim();
  const filters = (names) => names.map((name) => [name, form[name].value])
    .filter(([, value]) => value).map(([name, value]) => `&${name}=${encodeURIComponent(value)}`)
    .join("");
  const query = `?q=${encodeURIComponent(q)}&k=10`;
  await busy(form, async () => {
    const [regulations, kb] = await Promise.all([
      api(`/v1/regulations/search${query}${filters(["type", "status"])}`),
      api(`/v1/kb/search${query}${filters(["topic"])}`),
    ]);
    const failed = [regulations, kb].find((answer) => !answer.ok);
    if (failed) {
      alertText(problemText(failed));
      return;
    }
    shown.results = { q, provisions: regulations.data.hits, articles: kb.data.hits };
    showResults();
    document.getElementById("results-heading").focus();
  });
}

function versionText(version) {
  if (!version) return t("kb_no_version");
  const vars = { number: version.number, from: version.valid_from, to: version.valid_to };
  return t(version.valid_to ? "kb_version_until" : "kb_version_text", vars);
}

function showWork() {
  const work = shown.work;
  if (!work) return;
  const heading = document.getElementById("work-heading");
  heading.textContent = work.title;
  heading.lang = ZH;
  document.getElementById("work-facts").replaceChildren(facts([
    ["kb_document_number", work.document_number],
    ["kb_issuers", work.issuers.join("、")],
    ["kb_kind", kind(work.kind, work.kind_name)],
    ["kb_issued", work.issued],
    ["kb_status", t("kb_status_on", { status: validity(work.status), day: work.as_of })],
    ["kb_version", versionText(work.version)],
  ]));
  document.getElementById("as-of").value = work.as_of;
  const body = document.getElementById("work-body");
  body.replaceChildren(element("h3", t("kb_provisions_heading", { day: work.as_of })));
  if (!work.provisions.length) {
    body.append(element("p", t("kb_no_version"), { class: "empty" }));
  } else {
    const list = element("ol", null, { class: "provisions" });
    list.append(...work.provisions.map((p) => {
      const item = element("li");
      const notes = [p.summary ? t("kb_summary") : null,
        p.status === "amended" ? t("kb_prov_amended") : null,
        p.status === "added" ? t("kb_prov_added") : null].filter(Boolean);
      item.append(element("h4", p.label, { lang: ZH }), element("p", p.text, { lang: ZH }));
      if (notes.length) item.append(element("p", notes.join(" · "), { class: "hint" }));
      return item;
    }));
    body.append(list);
  }
  if (work.notes.length) {
    const notes = element("ul");
    notes.append(...work.notes.map((n) => element("li", `${n.provision}：${n.note}`)));
    body.append(element("h3", t("kb_notes")), notes);
  }
  document.getElementById("work").hidden = false;
}

async function openWork(workId, asOf) {
  const query = asOf ? `?as_of=${encodeURIComponent(asOf)}` : "";
  const answer = await api(`/v1/regulations/works/${encodeURIComponent(workId)}${query}`);
  if (!answer.ok) {
    alertText(problemText(answer));
    return;
  }
  alertText(null);
  shown.work = answer.data;
  history.replaceState(null, "", `#work=${encodeURIComponent(workId)}`);
  showWork();
  document.getElementById("work-heading").focus();
}

function showArticle() {
  const article = shown.article;
  if (!article) return;
  const heading = document.getElementById("article-heading");
  heading.textContent = article.question;
  heading.lang = ZH;
  const body = document.getElementById("article-body");
  body.replaceChildren(facts([
    ["kb_topic_label", known(`topic_${article.topic}`, article.topic_name)],
    ["kb_valid_from", article.valid_from],
  ]));
  if (article.current) {
    body.append(element("h3", t("kb_answer")), element("p", article.answer, { lang: ZH }));
  } else {
    // under review (a provision it rests on changed) or outside its own validity: said plainly
    const notice = article.review?.notice ?? article.notice;
    body.append(element("p", t("kb_not_current"), { class: "verdict verdict-bad" }));
    if (notice) body.append(element("p", notice, { lang: ZH }));
  }
  body.append(element("h3", t("kb_citations")));
  const list = element("ol", null, { class: "citations" });
  list.append(...article.citations.map((c) => {
    const item = element("li");
    item.append(element("p", `《${c.work_title}》${c.label}`, { class: "cite", lang: ZH }),
      element("p", `${c.document_number} · ${t("kb_as_of_day", { day: c.as_of })}`,
        { class: "hint" }));
    if (c.text) item.append(element("p", c.text, { lang: ZH }));
    if (c.note) item.append(element("p", c.note, { class: "hint", lang: ZH }));
    item.append(opener("kb_open_in_library", () => openWork(c.work_id, c.as_of)));
    return item;
  }));
  body.append(list);
  document.getElementById("article").hidden = false;
}

async function openArticle(id) {
  const answer = await api(`/v1/kb/articles/${encodeURIComponent(id)}`);
  if (!answer.ok) {
    alertText(problemText(answer));
    return;
  }
  alertText(null);
  shown.article = answer.data;
  history.replaceState(null, "", `#article=${encodeURIComponent(id)}`);
  showArticle();
  document.getElementById("article-heading").focus();
}

page(() => {
  document.getElementById("search").addEventListener("submit", (event) => {
    event.preventDefault();
    search(event.currentTarget);
  });
  document.getElementById("as-of-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    if (!shown.work || !form.as_of.value) return;
    busy(form, () => openWork(shown.work.id, form.as_of.value));
  });
  // a link (from the consultation's answers, or a work's or answer's address kept) opens a
  // work or an answer here
  const follow = () => {
    const wanted = new URLSearchParams(location.hash.slice(1));
    if (wanted.get("work")) openWork(wanted.get("work"));
    else if (wanted.get("article")) openArticle(wanted.get("article"));
  };
  follow();
  window.addEventListener("hashchange", follow);
  // a search in the page's address (a link, or the form sent by the browser before this script
  // ran) is shown as if typed
  const asked = new URLSearchParams(location.search);
  const form = document.getElementById("search");
  if (asked.get("q")?.trim()) {
    for (const name of ["q", "type", "status", "topic"]) form[name].value = asked.get(name) ?? "";
    search(form);
  }
  document.addEventListener("languagechange", () => { showResults(); showWork(); showArticle(); });
});
