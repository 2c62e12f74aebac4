// The idea space: the ideas the public sees (newest first, by state, a page at a time) and an
// idea with its supports against the threshold, its public trail and its comments; a taxpayer
// signed in supports an idea open for supports (once: the API says so the second time).
import {
  alertText, api, busy, element, known, page, problemText, session, t, when,
} from "./common.js";

const ZH = "zh-CN";
const listed = { items: [], cursor: null, state: "" };
let shown = null;

function state(value) {
  return known(`idea_state_${value}`, value);
}

function renderList() {
  document.getElementById("ideas-empty").hidden = listed.items.length > 0;
  document.getElementById("ideas-items").replaceChildren(...listed.items.map((idea) => {
    const item = element("li");
    const heading = element("h3", null, { lang: ZH });
    const open = element("button", idea.title, { type: "button", class: "title" });
    open.addEventListener("click", () => openIdea(idea.id));
    heading.append(open);
    item.append(heading, element("p", [known(`idea_category_${idea.category}`,
      idea.category_name), state(idea.state), when(idea.submitted_at),
    t("ideas_supports", { supports: idea.supports, threshold: idea.threshold })].join(" · "),
    { class: "hint" }));
    return item;
  }));
  document.getElementById("ideas-more").hidden = !listed.cursor;
}

async function load(more) {
  const query = new URLSearchParams();
  if (listed.state) query.set("state", listed.state);
  if (more && listed.cursor) query.set("cursor", listed.cursor);
  const answer = await api(`/v1/ideas?${query}`);
  if (!answer.ok) {
    alertText(problemText(answer));
    return false;
  }
  listed.items = more ? [...listed.items, ...answer.data.ideas] : answer.data.ideas;
  listed.cursor = answer.data.cursor ?? null;
  renderList();
  return true;
}

function renderIdea() {
  if (!shown) return;
  document.getElementById("idea-heading").textContent = shown.title;
  const body = document.getElementById("idea-body");
  body.replaceChildren(
    element("p", shown.body, { class: "reply", lang: ZH }),
    element("p", [state(shown.state), t(`idea_author_${shown.author_kind}`),
      t("ideas_supports", { supports: shown.supports, threshold: shown.threshold }),
      t("ideas_window", { until: when(shown.window_ends) })].join(" · "), { class: "hint" }),
    element("h3", t("ideas_trail")),
  );
  const trail = element("ol", null, { class: "hits" });
  trail.append(...shown.trail.map((s) => element("li", [when(s.at),
    s.by === "author" ? t("idea_by_author") : s.by === "platform" ? t("idea_by_platform") : s.by,
    known(`idea_step_${s.action}`, s.action), s.text].filter(Boolean).join(" · "))));
  body.append(trail, element("h3", t("ideas_comments", { count: shown.comments.length })));
  const comments = element("ol", null, { class: "hits" });
  comments.append(...shown.comments.map((c) => element("li", [t(`idea_author_${c.author_kind}`),
    when(c.at), c.body].join(" · "), { lang: ZH })));
  body.append(comments);
  const current = session();
  if (shown.supportable && current?.role === "taxpayer") {
    const support = element("button", t("ideas_support"), { type: "button" });
    support.addEventListener("click", async () => {
      support.disabled = true;
      const answer = await api(`/v1/ideas/${encodeURIComponent(shown.id)}/supports`,
        { method: "POST", auth: true });
      support.disabled = false;
      if (!answer.ok) {
        alertText(problemText(answer));
        return;
      }
      alertText(null);
      shown = { ...shown, supports: answer.data.supports, state: answer.data.state };
      renderIdea();
      document.getElementById("idea-status").textContent = t("ideas_supported",
        { supports: answer.data.supports });
    });
    body.append(support);
  }
  document.getElementById("idea").hidden = false;
}

async function openIdea(id) {
  const answer = await api(`/v1/ideas/${encodeURIComponent(id)}`);
  if (!answer.ok) {
    alertText(problemText(answer));
    return;
  }
  alertText(null);
  shown = answer.data;
  document.getElementById("idea-status").textContent = "";
  renderIdea();
  document.getElementById("idea-heading").focus();
}

page(() => {
  document.getElementById("ideas-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    listed.state = form.state.value;
    busy(form, async () => {
      if (await load(false)) document.getElementById("ideas-list-heading").focus();
    });
  });
  document.getElementById("ideas-more").addEventListener("click", () => load(true));
  load(false);
  document.addEventListener("languagechange", () => { renderList(); renderIdea(); });
});
