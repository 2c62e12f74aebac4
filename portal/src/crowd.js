// Crowd help, read only: the questions people asked (pinned first, then newest; by topic, a
// page at a time), and a question with its answers, the accepted one and those an officer
// verified marked. People are shown by pseudonym, as the API shows them.
import { alertText, api, busy, element, known, page, problemText, t, when } from "./common.js";

const ZH = "zh-CN";
const listed = { items: [], cursor: null, topic: "" };
let thread = null;

function author(who) {
  return [who.pseudonym, t("crowd_reputation", { points: who.reputation }), ...who.badges]
    .join(" · ");
}

function renderList() {
  document.getElementById("crowd-empty").hidden = listed.items.length > 0;
  document.getElementById("crowd-items").replaceChildren(...listed.items.map((q) => {
    const item = element("li");
    const heading = element("h3", null, { lang: ZH });
    const open = element("button", q.title, { type: "button", class: "title" });
    open.addEventListener("click", () => openThread(q.id));
    heading.append(open);
    const marks = [q.pinned ? t("crowd_pinned") : null, q.accepted ? t("crowd_accepted") : null];
    item.append(heading, element("p", [known(`topic_${q.topic}`, q.topic), q.author,
      when(q.asked_at), t("crowd_score", { score: q.score }),
      t("crowd_answers", { count: q.answers }), ...marks].filter(Boolean).join(" · "),
    { class: "hint" }));
    return item;
  }));
  document.getElementById("crowd-more").hidden = !listed.cursor;
}

async function load(more) {
  const query = new URLSearchParams();
  if (listed.topic) query.set("topic", listed.topic);
  if (more && listed.cursor) query.set("cursor", listed.cursor);
  const answer = await api(`/v1/crowd/questions?${query}`);
  if (!answer.ok) {
    alertText(problemText(answer));
    return false;
  }
  listed.items = more ? [...listed.items, ...answer.data.items] : answer.data.items;
  listed.cursor = answer.data.cursor ?? null;
  renderList();
  return true;
}

function renderThread() {
  if (!thread) return;
  document.getElementById("thread-heading").textContent = thread.title;
  const body = document.getElementById("thread-body");
  body.replaceChildren(
    element("p", thread.body, { class: "reply", lang: ZH }),
    element("p", [t("crowd_asked_by", { who: author(thread.author) }), when(thread.asked_at),
      t("crowd_score", { score: thread.score }), ...thread.tags].join(" · "), { class: "hint" }),
    element("h3", t("crowd_answers", { count: thread.answers.length })),
  );
  if (!thread.answers.length) body.append(element("p", t("crowd_no_answers"), { class: "empty" }));
  const list = element("ol", null, { class: "hits" });
  list.append(...thread.answers.map((a) => {
    const item = element("li");
    const marks = [a.accepted ? t("crowd_accepted") : null,
      a.officer_verified ? t("crowd_verified") : null].filter(Boolean);
    if (marks.length) item.append(element("p", marks.join(" · "), { class: "verdict verdict-good" }));
    item.append(element("p", a.body, { class: "answer", lang: ZH }),
      element("p", [t("crowd_answered_by", { who: author(a.author) }), when(a.answered_at),
        t("crowd_score", { score: a.score })].join(" · "), { class: "hint" }));
    return item;
  }));
  body.append(list);
  document.getElementById("thread").hidden = false;
}

async function openThread(id) {
  const answer = await api(`/v1/crowd/questions/${encodeURIComponent(id)}`);
  if (!answer.ok) {
    alertText(problemText(answer));
    return;
  }
  alertText(null);
  thread = answer.data;
  renderThread();
  document.getElementById("thread-heading").focus();
}

page(() => {
  document.getElementById("crowd-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    listed.topic = form.topic.value;
    busy(form, async () => {
      if (await load(false)) document.getElementById("crowd-list-heading").focus();
    });
  });
  document.getElementById("crowd-more").addEventListener("click", () => load(true));
  load(false);
  document.addEventListener("languagechange", () => { renderList(); renderThread(); });
});
