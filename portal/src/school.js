// The tax school: the schedule of live sessions with their seats and waiting list, open to
// anyone; signed in (a taxpayer or an officer), enrolling in one — a seat, or a place in line
// when none is free — and one's own places, each given up with a button. The courses: each
// with its lessons, its courseware (downloaded signed in, through a link that expires, with the
// checksum to check) and its sessions to come; signed in, the questions asked under it, their
// answers (the tax office's marked) and a form to ask and to answer. The digital library,
// searched by anyone (the words found marked) and downloaded through a link that expires.
import {
  alertText, api, busy, element, facts, highlighted, known, page, problemText, session, t, table,
  when,
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
    const item = element("li", null, { id: `school-session-${s.id}` }); // a course links here
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

// -- the courses: a list, then one course with its lessons, courseware, sessions and Q&A -----

const READERS = ["taxpayer", "officer", "admin"]; // who reads courseware and Q&A
const courses = { items: [], cursor: null };
let course = null; // the chosen course's page
let questions = { items: [], cursor: null, loaded: false, closed: false };
let library = null; // the last search: {q, results, total}

function reader() {
  const current = session();
  return current && READERS.includes(current.role) ? current : null;
}

function sizeText(size) {
  if (size >= 1024 * 1024) return `${(size / 1024 / 1024).toFixed(1)} MB`;
  if (size >= 1024) return `${(size / 1024).toFixed(1)} KB`;
  return t("school_bytes", { size });
}

function audience(value) {
  return known(`school_audience_${value}`, value);
}

/** A label in the page's language followed by Chinese text (a reason, the tags). */
function labelled(key, text, attributes = {}) {
  const node = element("p", t(key), attributes);
  node.append(element("span", text, { lang: ZH }));
  return node;
}

function signInHint(key) {
  const hint = element("p", null, { class: "hint" });
  hint.append(element("a", t(key), { href: "signin.html?next=school" }));
  return hint;
}

function renderCourses() {
  document.getElementById("courses-empty").hidden = courses.items.length > 0;
  document.getElementById("courses-items").replaceChildren(...courses.items.map((c) => {
    const item = element("li");
    const heading = element("h3", null, { lang: ZH });
    const open = element("button", c.title, { type: "button", class: "title" });
    open.addEventListener("click", () => openCourse(c.id));
    heading.append(open);
    item.append(heading, element("p", [audience(c.audience),
      t("school_course_length", { count: c.lessons.length, minutes: c.minutes }),
      t("school_course_questions", { count: c.questions })].join(" · "), { class: "hint" }));
    return item;
  }));
  document.getElementById("courses-more").hidden = !courses.cursor;
}

async function loadCourses(more) {
  const query = more && courses.cursor ? `?cursor=${encodeURIComponent(courses.cursor)}` : "";
  const answer = await api(`/v1/school/courses${query}`);
  if (!answer.ok) {
    alertText(problemText(answer));
    return;
  }
  courses.items = more ? [...courses.items, ...answer.data.courses] : answer.data.courses;
  courses.cursor = answer.data.cursor ?? null;
  renderCourses();
}

function lessonList() {
  const list = element("ol", null, { class: "lessons" });
  list.append(...course.lessons.map((lesson) => {
    const item = element("li");
    item.append(element("span", lesson.title, { lang: ZH }),
      ` · ${t("school_lesson_minutes", { minutes: lesson.minutes })}`);
    if (lesson.summary) item.append(element("p", lesson.summary, { class: "hint", lang: ZH }));
    return item;
  }));
  return list;
}

function downloadButton(ware) {
  const button = element("button", t("school_download"), { type: "button",
    "aria-label": `${t("school_download")}：${ware.title}` });
  button.addEventListener("click", async () => {
    button.disabled = true;
    const answer = await api(`/v1/school/courses/${encodeURIComponent(course.id)}/courseware/`
      + `${encodeURIComponent(ware.number)}/downloads`, { method: "POST", auth: true });
    button.disabled = false;
    if (!answer.ok) {
      alertText(problemText(answer));
      return;
    }
    alertText(null);
    document.getElementById("course-status").textContent = t("school_download_started", {
      filename: answer.data.filename, sha256: answer.data.sha256,
      seconds: answer.data.expires_in });
    location.assign(answer.data.url); // saved as its file (the link says so): the page stays
  });
  return button;
}

function coursewareTable() {
  const files = course.courseware ?? [];
  if (!files.length) return element("p", t("school_courseware_empty"));
  const signedIn = reader();
  const frame = table("school_courseware_caption", ["school_col_title", "school_col_lesson",
    "school_col_filename", "school_col_size", "school_col_sha256", "school_col_download"],
  files.map((ware) => [ware.title,
    ware.lesson ? t("school_lesson_number", { number: ware.lesson }) : t("school_whole_course"),
    ware.filename, sizeText(ware.size), `${ware.sha256.slice(0, 12)}…`, null]));
  frame.querySelector("table").classList.add("files"); // scrolled sideways on a phone
  frame.querySelectorAll("tbody tr").forEach((row, index) => {
    const ware = files[index];
    const cells = row.children;
    cells[0].setAttribute("lang", ZH);
    cells[4].setAttribute("title", ware.sha256);
    cells[4].classList.add("digest");
    cells[5].append(signedIn ? downloadButton(ware)
      : element("a", t("school_download_sign_in"), { href: "signin.html?next=school" }));
  });
  return frame;
}

function sessionList() {
  const sessions = course.sessions ?? [];
  if (!sessions.length) return element("p", t("school_course_sessions_empty"));
  const list = element("ul", null, { class: "hits" });
  list.append(...sessions.map((s) => {
    const item = element("li");
    // a session in the schedule above is linked to: its seats and the enrol button are there
    const scheduled = listed.items.some((shown) => shown.id === s.id);
    item.append(scheduled
      ? element("a", s.title, { href: `#school-session-${s.id}`, lang: ZH })
      : element("span", s.title, { lang: ZH }),
    element("p", [t("school_session_time", { from: when(s.starts_at), to: when(s.ends_at) }),
      t("school_session_capacity", { capacity: s.capacity })].join(" · "), { class: "hint" }),
    element("p", s.place, { class: "hint", lang: ZH }));
    return item;
  }));
  return list;
}

function renderCourse() {
  if (!course) return;
  document.getElementById("course-heading").textContent = course.title;
  const qa = element("div", null, { id: "course-qa" });
  document.getElementById("course-body").replaceChildren(
    element("p", course.summary, { class: "summary", lang: ZH }),
    facts([
      ["school_course_audience", audience(course.audience)],
      ["school_course_office", course.tax_office],
      ["school_course_length_label",
        t("school_course_length", { count: course.lessons.length, minutes: course.minutes })],
      ["school_course_created", when(course.created_at)],
    ]),
    element("h3", t("school_lessons")), lessonList(),
    element("h3", t("school_courseware")), coursewareTable(),
    element("h3", t("school_course_sessions")), sessionList(),
    element("h3", t("school_qa")), qa);
  renderQuestions();
  document.getElementById("course").hidden = false;
}

async function openCourse(id) {
  const answer = await api(`/v1/school/courses/${encodeURIComponent(id)}`);
  if (!answer.ok) {
    alertText(problemText(answer));
    return;
  }
  alertText(null);
  course = answer.data;
  questions = { items: [], cursor: null, loaded: false, closed: false };
  history.replaceState(null, "", `#course=${encodeURIComponent(id)}`);
  document.getElementById("course-status").textContent = "";
  renderCourse();
  document.getElementById("course-heading").focus();
  await loadQuestions(false);
}

// -- the course's questions and answers (signed in) ------------------------------------------

function questionsPath() {
  return `/v1/school/courses/${encodeURIComponent(course.id)}/questions`;
}

async function loadQuestions(more) {
  if (!course || !reader()) return;
  const id = course.id;
  const query = more && questions.cursor ? `?cursor=${encodeURIComponent(questions.cursor)}`
    : "";
  const answer = await api(`${questionsPath()}${query}`, { auth: true });
  if (course?.id !== id) return; // another course was opened meanwhile
  if (!answer.ok) {
    alertText(problemText(answer)); // e.g. a course for another audience: no Q&A for them
    questions.closed = !more;
    renderQuestions();
    return;
  }
  questions = { items: more ? [...questions.items, ...answer.data.questions]
    : answer.data.questions, cursor: answer.data.cursor ?? null, loaded: true, closed: false };
  renderQuestions();
}

/** A field checked before it is sent: said in the alert, marked, focused. */
function refused(field, key) {
  field.setAttribute("aria-invalid", "true");
  alertText(t(key));
  field.focus();
}

function askForm() {
  const form = element("form", null, { id: "ask-form", novalidate: "" });
  const title = element("input", null, { id: "ask-title", name: "title", autocomplete: "off",
    maxlength: "100", required: "", "aria-describedby": "ask-title-hint" });
  const body = element("textarea", null, { id: "ask-body", name: "body", rows: "3",
    maxlength: "2000", "aria-describedby": "ask-body-hint" });
  const lesson = element("select", null, { id: "ask-lesson", name: "lesson" });
  lesson.append(element("option", t("kb_any"), { value: "" }), ...course.lessons.map((l) =>
    element("option", `${t("school_lesson_number", { number: l.number })} ${l.title}`,
      { value: String(l.number) })));
  form.append(element("label", t("school_ask_title"), { for: "ask-title" }), title,
    element("p", t("school_ask_title_hint"), { class: "hint", id: "ask-title-hint" }),
    element("label", t("school_ask_body"), { for: "ask-body" }), body,
    element("p", t("school_ask_body_hint"), { class: "hint", id: "ask-body-hint" }),
    element("label", t("school_ask_lesson"), { for: "ask-lesson" }), lesson,
    element("button", t("school_ask"), { type: "submit" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    for (const field of [title, body]) field.removeAttribute("aria-invalid");
    const asked = { title: title.value.trim() };
    if (asked.title.length < 4 || asked.title.length > 100) {
      refused(title, "school_ask_title_needed");
      return;
    }
    if (body.value.trim()) asked.body = body.value.trim();
    if (asked.body !== undefined && asked.body.length < 4) {
      refused(body, "school_ask_body_short");
      return;
    }
    if (lesson.value) asked.lesson = Number(lesson.value);
    busy(form, async () => {
      const answer = await api(questionsPath(), { method: "POST", auth: true, body: asked });
      if (!answer.ok) {
        alertText(problemText(answer));
        return;
      }
      questions.items = [answer.data, ...questions.items]; // the latest first
      course.questions += 1;
      form.reset();
      renderQuestions();
      document.getElementById("course-status").textContent = t("school_asked");
      document.getElementById(`question-${answer.data.id}`)?.focus();
    });
  });
  return form;
}

function answerItem(a) {
  const item = element("li", null, a.official ? { class: "official" } : {});
  const by = element("p", null, { class: "hint" });
  if (a.official) by.append(element("strong", t("school_official"), { class: "badge" }), " ");
  by.append([a.by, known(`school_role_${a.role}`, a.role), when(a.answered_at)].join(" · "));
  item.append(by, a.hidden ? labelled("school_answer_hidden", a.hidden, { class: "hint" })
    : element("p", a.body, { class: "summary", lang: ZH }));
  return item;
}

function answerForm(q) {
  const id = `answer-${q.id}`;
  const form = element("form", null, { novalidate: "" });
  const body = element("textarea", null, { id, name: "body", rows: "2", maxlength: "2000",
    "aria-describedby": `${id}-hint` });
  form.append(element("label", t("school_answer_label"), { for: id }), body,
    element("p", t("school_answer_hint"), { class: "hint", id: `${id}-hint` }),
    element("button", t("school_answer"), { type: "submit",
      "aria-label": `${t("school_answer")}：${q.title}` }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    body.removeAttribute("aria-invalid");
    const text = body.value.trim();
    if (text.length < 2) {
      refused(body, "school_answer_needed");
      return;
    }
    busy(form, async () => {
      const answer = await api(`${questionsPath()}/${encodeURIComponent(q.id)}/answers`,
        { method: "POST", auth: true, body: { body: text } });
      if (!answer.ok) {
        alertText(problemText(answer));
        return;
      }
      questions.items = questions.items.map((shown) => (shown.id === q.id ? answer.data
        : shown));
      renderQuestions();
      document.getElementById("course-status").textContent = t("school_answered");
      document.getElementById(`question-${q.id}`)?.focus();
    });
  });
  return form;
}

function questionItem(q) {
  const item = element("li");
  item.append(element("h4", q.title, { id: `question-${q.id}`, tabindex: "-1", lang: ZH }),
    element("p", [q.asked_by, when(q.asked_at),
      q.lesson ? t("school_lesson_number", { number: q.lesson }) : null]
      .filter(Boolean).join(" · "), { class: "hint" }));
  if (q.hidden) item.append(labelled("school_question_hidden", q.hidden, { class: "hint" }));
  if (q.body) item.append(element("p", q.body, { class: "summary", lang: ZH }));
  if (q.answers.length) {
    const answers = element("ol", null, { class: "answers" });
    answers.append(...q.answers.map(answerItem));
    item.append(answers);
  } else {
    item.append(element("p", t("school_answers_empty"), { class: "hint" }));
  }
  if (!q.hidden) item.append(answerForm(q));
  return item;
}

function renderQuestions() {
  const qa = document.getElementById("course-qa");
  if (!qa || !course) return;
  if (!reader()) {
    qa.replaceChildren(signInHint("school_qa_sign_in"));
    return;
  }
  qa.replaceChildren();
  if (questions.closed) return;
  qa.append(askForm());
  if (!questions.loaded) return;
  if (!questions.items.length) {
    qa.append(element("p", t("school_qa_empty")));
  } else {
    const list = element("ol", null, { class: "hits questions" });
    list.append(...questions.items.map(questionItem));
    qa.append(list);
  }
  if (questions.cursor) {
    const more = element("button", t("school_qa_more"), { type: "button" });
    more.addEventListener("click", () => loadQuestions(true));
    qa.append(more);
  }
}

// -- the digital library ---------------------------------------------------------------------

function libraryItem(hit) {
  const found = hit.document;
  const item = element("li");
  item.append(element("h3", found.title, { lang: ZH }), ...hit.highlights.map(highlighted),
    element("p", [known(`school_category_${found.category}`, found.category),
      sizeText(found.size), t("school_library_downloads", { count: found.downloads })]
      .join(" · "), { class: "hint" }));
  if (found.tags.length) {
    item.append(labelled("school_library_tags", found.tags.join("、"), { class: "hint" }));
  }
  item.append(element("p", `SHA-256 ${found.sha256}`, { class: "hint digest" }));
  const download = element("button", t("school_download"), { type: "button",
    "aria-label": `${t("school_download")}：${found.title}` });
  download.addEventListener("click", async () => {
    download.disabled = true;
    const answer = await api(`/v1/school/library/${encodeURIComponent(found.id)}/downloads`,
      { method: "POST" });
    download.disabled = false;
    if (!answer.ok) {
      alertText(problemText(answer));
      return;
    }
    alertText(null);
    document.getElementById("library-status").textContent = t("school_download_started", {
      filename: answer.data.filename, sha256: answer.data.sha256,
      seconds: answer.data.expires_in });
    location.assign(answer.data.url);
  });
  item.append(download);
  return item;
}

function renderLibrary() {
  if (!library) return;
  document.getElementById("library-total").textContent = library.total
    ? t(library.q ? "school_library_total_for" : "school_library_total",
      { q: library.q, total: library.total })
    : t("school_library_empty");
  document.getElementById("library-items").replaceChildren(...library.results.map(libraryItem));
}

async function searchLibrary(form) {
  const query = new URLSearchParams();
  const q = form?.q.value.trim() ?? "";
  if (q) query.set("q", q);
  if (form?.category.value) query.set("category", form.category.value);
  const answer = await api(`/v1/school/library?${query}`);
  if (!answer.ok) {
    alertText(problemText(answer));
    return false;
  }
  library = { q, results: answer.data.results, total: answer.data.total };
  renderLibrary();
  return true;
}

page(() => {
  document.getElementById("school-more").addEventListener("click", () => load(true));
  load(false).then(loadMine);
  document.getElementById("courses-more").addEventListener("click", () => loadCourses(true));
  loadCourses(false);
  // a course's address (kept, or a link) opens it here
  const follow = () => {
    const wanted = new URLSearchParams(location.hash.slice(1)).get("course");
    if (wanted && wanted !== course?.id) openCourse(wanted);
  };
  follow();
  window.addEventListener("hashchange", follow);
  const form = document.getElementById("library-search");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form, async () => {
      if (await searchLibrary(form)) document.getElementById("library-total").focus();
    });
  });
  searchLibrary(null);
  document.addEventListener("languagechange", () => {
    renderList(); renderMine(); renderCourses(); renderCourse(); renderLibrary();
  });
});
