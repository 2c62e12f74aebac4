// The tax school: the schedule of live sessions with their seats and waiting list, open to
// anyone; signed in (a taxpayer or an officer), enrolling in one — a seat, or a place in line
// when none is free — and one's own places, each given up with a button.
import {
  alertText, api, element, known, page, problemText, session, t, when,
} from "./common.js";

const ZH = "zh-CN"; // the sessions' own titles and places are Chinese in either language
const listed = { items: [], cursor: null };
let mine = [];

function learner() {
  const current = session();
  return current && ["taxpayer", "officer"].includes(current.role) ? current : null;
}

function placeText(place) {
  if (place.status === "waiting") return t("school_place_waiting", { position: place.position });
  return known(`school_place_${place.status}`, place.status);
}

function sessionFacts(s) {
  return [s.course, when(s.starts_at), s.place,
    t("school_seats", { left: s.seats_left, capacity: s.capacity }),
    s.waiting ? t("school_waiting", { count: s.waiting }) : null,
    s.enrolment_open ? null : t("school_closed")].filter(Boolean).join(" · ");
}

async function act(method, sessionId) {
  const path = method === "POST" ? `/v1/school/sessions/${encodeURIComponent(sessionId)}/enrolments`
    : `/v1/school/sessions/${encodeURIComponent(sessionId)}/enrolments/me`;
  const answer = await api(path, { method, auth: true });
  if (!answer.ok) {
    alertText(problemText(answer));
    return;
  }
  alertText(null);
  document.getElementById("school-status").textContent = placeText(answer.data);
  await Promise.all([load(false), loadMine()]);
}

function renderList() {
  const signedIn = learner();
  document.getElementById("school-hint").textContent = signedIn ? "" : t("school_sign_in");
  document.getElementById("school-empty").hidden = listed.items.length > 0;
  const held = new Map(mine.filter((p) => p.status !== "cancelled").map((p) => [p.session_id, p]));
  document.getElementById("school-items").replaceChildren(...listed.items.map((s) => {
    const item = element("li");
    item.append(element("h3", s.title, { lang: ZH }),
      element("p", sessionFacts(s), { class: "hint", lang: ZH }));
    const place = held.get(s.id);
    if (place) {
      item.append(element("p", placeText(place)));
    } else if (signedIn && s.enrolment_open) {
      const enrol = element("button", t("school_enrol"), { type: "button",
        "aria-label": `${t("school_enrol")}：${s.title}` });
      enrol.addEventListener("click", () => act("POST", s.id));
      item.append(enrol);
    }
    return item;
  }));
  document.getElementById("school-more").hidden = !listed.cursor;
}

function renderMine() {
  const section = document.getElementById("school-mine");
  section.hidden = !learner();
  document.getElementById("school-mine-empty").hidden = mine.length > 0;
  document.getElementById("school-mine-items").replaceChildren(...mine.map((place) => {
    const item = element("li");
    item.append(element("h3", place.session.title, { lang: ZH }),
      element("p", [placeText(place), when(place.session.starts_at),
        place.certificate ? t("school_certificate", { number: place.certificate }) : null]
        .filter(Boolean).join(" · ")));
    if (place.status !== "cancelled" && place.session.enrolment_open) {
      const cancel = element("button", t("school_cancel"), { type: "button",
        "aria-label": `${t("school_cancel")}：${place.session.title}` });
      cancel.addEventListener("click", () => act("DELETE", place.session_id));
      item.append(cancel);
    }
    return item;
  }));
}

async function load(more) {
  const query = more && listed.cursor ? `?cursor=${encodeURIComponent(listed.cursor)}` : "";
  const answer = await api(`/v1/school/sessions${query}`);
  if (!answer.ok) {
    alertText(problemText(answer));
    return;
  }
  listed.items = more ? [...listed.items, ...answer.data.sessions] : answer.data.sessions;
  listed.cursor = answer.data.cursor ?? null;
  renderList();
}

async function loadMine() {
  if (!learner()) return;
  const answer = await api("/v1/me/school", { auth: true });
  if (!answer.ok) {
    alertText(problemText(answer));
    return;
  }
  mine = answer.data.places;
  renderMine();
  renderList();
}

page(() => {
  document.getElementById("school-more").addEventListener("click", () => load(true));
  load(false).then(loadMine);
  document.addEventListener("languagechange", () => { renderList(); renderMine(); });
});
