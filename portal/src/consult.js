// The 12366 consultation: a question in one sentence answered from the knowledge base with the
// provisions it rests on, its confidence and related questions (each one a click to ask);
// a question outside the tax domain refused; a signed-in taxpayer's question about its own
// records handed to the officers of its tax office. Each answer takes one helpful / not
// helpful; the week's hot questions are listed below.
import { alertText, api, busy, element, page, problemText, session, t } from "./common.js";

const turns = []; // {answer, feedback} of this conversation, to redraw on a language switch
let sessionId = null; // the conversation's session, from its first answer
let hot = null; // the week's hot questions

/** A signed-in taxpayer asks as itself (its own records can be handed to its office). */
function asTaxpayer() {
  return session()?.role === "taxpayer";
}

function asker(question) {
  const button = element("button", question, { type: "button", lang: "zh-CN" });
  button.addEventListener("click", () => ask(question));
  return button;
}

function feedbackGroup(turn) {
  const group = element("div", null, { class: "feedback", role: "group" });
  const prompt = element("p", t("consult_helpful_question"),
    { id: `rate-${turn.answer.answer_id}` });
  group.setAttribute("aria-labelledby", prompt.id);
  const said = element("p", turn.feedback === undefined ? "" : t("consult_thanks"),
    { role: "status", class: "hint" });
  group.append(prompt);
  for (const [helpful, key] of [[true, "consult_helpful"], [false, "consult_not_helpful"]]) {
    const button = element("button", t(key), {
      type: "button", "aria-pressed": String(turn.feedback === helpful),
    });
    if (turn.feedback !== undefined) button.disabled = true;
    button.addEventListener("click", async () => {
      for (const b of group.querySelectorAll("button")) b.disabled = true;
      const answer = await api(
        `/v1/consult/answers/${encodeURIComponent(turn.answer.answer_id)}/feedback`,
        { method: "POST", body: { helpful } });
      if (!answer.ok) {
        for (const b of group.querySelectorAll("button")) b.disabled = false;
        alertText(problemText(answer));
        return;
      }
      turn.feedback = helpful;
      button.setAttribute("aria-pressed", "true");
      said.textContent = t("consult_thanks");
    });
    group.append(button);
  }
  group.append(said);
  return group;
}

function renderTurn(turn) {
  const { answer } = turn;
  const node = element("article", null, { class: `turn outcome-${answer.outcome}` });
  const asked = element("h3", null, { class: "asked" });
  asked.append(element("span", `${t("consult_you")}：`, { class: "who" }), answer.question);
  const outcome = [t("consult_reply"), t(`outcome_${answer.outcome}`)];
  if (answer.outcome === "answered") {
    outcome.push(t("consult_confidence", { percent: Math.round(answer.confidence * 100) }));
  }
  node.append(asked, element("p", outcome.join(" · "), { class: "who" }),
    element("p", answer.text, { class: "reply", tabindex: "-1", lang: "zh-CN" }));
  if (answer.handoff_id) {
    node.append(element("p", t("consult_handoff", { id: answer.handoff_id }), { class: "hint" }));
  }
  if (answer.citations.length) {
    const list = element("ul", null, { class: "citations" });
    list.append(...answer.citations.map((c) => {
      const item = element("li");
      const link = element("a", `《${c.title}》${c.label}`,
        { href: `knowledge.html#work=${encodeURIComponent(c.work_id)}` });
      item.append(link, element("span",
        ` · ${c.document_number} · ${t("consult_citation_as_of", { day: c.as_of })}`));
      return item;
    }));
    node.append(element("h4", t("consult_citations")), list);
  }
  if (answer.article_id) {
    const more = element("p");
    more.append(element("a", t("consult_read_article"),
      { href: `knowledge.html#article=${encodeURIComponent(answer.article_id)}` }));
    node.append(more);
  }
  if (answer.related.length) {
    const list = element("ul", null, { class: "choices related" });
    list.append(...answer.related.map((r) => {
      const item = element("li");
      item.append(asker(r.question));
      return item;
    }));
    node.append(element("h4", t("consult_related")), list);
  }
  if (answer.outcome !== "refused") node.append(feedbackGroup(turn));
  return node;
}

function render() {
  document.getElementById("turns").replaceChildren(...turns.map(renderTurn));
}

function renderHot() {
  if (!hot) return;
  document.getElementById("hot-empty").hidden = hot.questions.length > 0;
  document.getElementById("hot-items").replaceChildren(...hot.questions.map((q) => {
    const item = element("li");
    item.append(asker(q.question),
      element("span", ` ${t("consult_hot_asked", { count: q.asked })}`, { class: "hint" }));
    return item;
  }));
}

async function loadHot() {
  const answer = await api("/v1/consult/hot");
  if (!answer.ok) {
    alertText(problemText(answer));
    return;
  }
  hot = answer.data;
  renderHot();
}

async function ask(question) {
  const form = document.getElementById("ask");
  const text = question.trim();
  if (!text) {
    alertText(t("consult_question_hint"));
    form.question.focus();
    return;
  }
  await busy(form, async () => {
    const body = { question: text, channel: "web" };
    if (sessionId) body.session_id = sessionId;
    const signedIn = asTaxpayer();
    const answer = await api(signedIn ? "/v1/me/consult/ask" : "/v1/consult/ask",
      { method: "POST", body, auth: signedIn, idempotent: true });
    if (!answer.ok) {
      alertText(problemText(answer));
      return;
    }
    sessionId = answer.data.session_id;
    turns.push({ answer: { ...answer.data, question: text }, feedback: undefined });
    form.question.value = "";
    const node = renderTurn(turns.at(-1));
    document.getElementById("turns").append(node);
    node.querySelector(".reply").focus(); // read out, and the answer's buttons follow it
  });
}

page(() => {
  const signedIn = asTaxpayer();
  document.getElementById("consult-signed-in").hidden = !signedIn;
  document.getElementById("consult-signin").hidden = signedIn;
  document.getElementById("ask").addEventListener("submit", (event) => {
    event.preventDefault();
    ask(event.currentTarget.question.value);
  });
  loadHot();
  document.addEventListener("languagechange", () => { render(); renderHot(); });
});
