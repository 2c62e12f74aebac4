// The officer's area: its tax office's review queues (online acceptance applications, refund
// cases, invoice supply applications), each item with what there is to decide and the decision:
// approve, or reject with a reason. A decided item leaves its queue and the result is announced.
import {
  alertText, api, element, facts, known, masked, page, problemText, session, t, when,
} from "./common.js";

const REASON_MAX = 200; // the shortest limit of the three decision routes (invoice supply)
const answers = {}; // queue → its items, to redraw on a language switch and after a decision
const documents = new Map(); // acceptance application id → its documents, once read

function label(prefix, value) {
  return known(`${prefix}_${value}`, value);
}

/** Each queue: where it is read, its items, how an item is shown, how it is decided. */
const queues = {
  applications: {
    path: "/v1/applications?state=submitted",
    items: (data) => data.applications,
    title: (a) => a.item_name,
    facts: (a) => {
      const shown = documents.get(a.id);
      return [["case_id", a.id], ["office_applicant", masked(a.applicant)],
        ["submitted_at", when(a.updated_at)],
        ["office_documents", shown?.documents.map((d) => `${d.filename}（${d.kind}）`)
          .join("；") || (shown ? t("office_none") : "")],
        ["office_missing", shown?.missing_documents.join("；")]];
    },
    decide: (a, approve, reason) => api(`/v1/applications/${encodeURIComponent(a.id)}/decision`,
      { method: "POST", auth: true, body: approve ? { decision: "approve" }
        : { decision: "reject", reason } }),
  },
  refunds: {
    path: "/v1/refunds?state=review",
    items: (data) => data.items,
    title: (c) => `${label("refund", c.kind)} · ${c.amount}`,
    facts: (c) => [["case_id", c.id], ["office_applicant", masked(c.applicant)],
      ["office_amount", c.amount], ["submitted_at", when(c.submitted_at)],
      ["office_flags", c.flags.map((f) => label("refund_flag", f)).join("；")]],
    decide: (c, approve, reason) => api(
      `/v1/refunds/${encodeURIComponent(c.id)}/${approve ? "approve" : "reject"}`,
      { method: "POST", auth: true, idempotent: true, body: approve ? {} : { reason } }),
  },
  supplies: {
    path: "/v1/invoice-supplies?state=review",
    items: (data) => data.applications,
    title: (a) => `${label("supply", a.kind)} · ${a.kind === "paper"
      ? `${a.invoice_type_name} × ${a.quantity}` : a.monthly_quota}`,
    facts: (a) => [["case_id", a.id], ["office_applicant_name", a.applicant_name],
      ["office_applicant", masked(a.applicant)],
      ["office_quota_before", a.kind === "digital" ? (a.quota_before ?? t("office_none")) : ""],
      ["submitted_at", when(a.applied_at)], ["office_reason", a.reason],
      ["office_checks", (a.checks ?? []).map((c) => `${label("supply_check", c.name)}：${
        t(c.passed ? "office_passed" : "office_failed")}（${c.detail}）`).join("；")],
      ["office_review_reasons", (a.review_reasons ?? []).join("；")]],
    decide: (a, approve, reason) => api(
      `/v1/invoice-supplies/${encodeURIComponent(a.id)}/decision`,
      { method: "POST", auth: true, idempotent: true, body: approve ? { decision: "approve" }
        : { decision: "reject", reason } }),
  },
};

function announce(text) {
  document.getElementById("office-status").textContent = text;
}

/** One queued item: its heading, its facts, and the decision form. */
function entry(name, item) {
  const queue = queues[name];
  const id = `${name}-${item.id}`;
  const article = element("article", null, { class: "case", "aria-labelledby": `${id}-title` });
  article.append(element("h3", queue.title(item), { id: `${id}-title`, tabindex: "-1" }),
    facts(queue.facts(item)));
  const form = element("form", null, { class: "decision", novalidate: "" });
  const reason = element("textarea", null, {
    id: `${id}-reason`, name: "reason", rows: "2", maxlength: String(REASON_MAX),
    "aria-describedby": `${id}-hint`,
  });
  form.append(element("label", t("office_reason_label"), { for: `${id}-reason` }), reason,
    element("p", t("office_reason_hint"), { class: "hint", id: `${id}-hint` }),
    element("button", t("office_approve"), { type: "submit", value: "approve" }),
    element("button", t("office_reject"), { type: "submit", value: "reject", class: "reject" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const approve = event.submitter?.value === "approve";
    const text = reason.value.trim();
    alertText(null);
    reason.removeAttribute("aria-invalid");
    if (!approve && text.length < 2) {
      reason.setAttribute("aria-invalid", "true");
      alertText(t("office_reason_needed"));
      reason.focus();
      return;
    }
    const buttons = [...form.querySelectorAll("button")];
    buttons.forEach((button) => { button.disabled = true; });
    form.setAttribute("aria-busy", "true");
    try {
      const answer = await queue.decide(item, approve, text);
      if (!answer.ok) {
        alertText(problemText(answer));
        return;
      }
      decided(name, item, approve);
    } finally {
      buttons.forEach((button) => { button.disabled = false; });
      form.removeAttribute("aria-busy");
    }
  });
  article.append(form);
  return article;
}

/** The item leaves its queue; the result is announced and focus goes to the next item of the
 * queue (or the queue's heading when it is empty now). */
function decided(name, item, approve) {
  const items = queues[name].items(answers[name]);
  const index = items.indexOf(item);
  items.splice(index, 1);
  draw(name);
  announce(t(approve ? "office_approved" : "office_rejected",
    { what: queues[name].title(item), id: item.id }));
  const next = items[Math.min(index, items.length - 1)];
  document.getElementById(next ? `${name}-${next.id}-title` : `office-${name}-heading`)?.focus();
}

function draw(name) {
  if (!(name in answers)) return;
  const section = document.getElementById(`office-${name}`);
  const items = queues[name].items(answers[name]);
  section.querySelector(".empty").hidden = items.length > 0;
  section.querySelector(".body").replaceChildren(...items.map((item) => entry(name, item)));
}

async function load(name) {
  const answer = await api(queues[name].path, { auth: true });
  if (!answer.ok) {
    alertText(problemText(answer));
    return;
  }
  answers[name] = answer.data;
  if (name === "applications") { // each application's documents, from its own route
    await Promise.all(answer.data.applications.map(async (a) => {
      const shown = await api(`/v1/applications/${encodeURIComponent(a.id)}`, { auth: true });
      if (shown.ok) documents.set(a.id, shown.data);
    }));
  }
  draw(name);
}

page(async () => {
  const current = session();
  if (!current) {
    document.getElementById("office-signin").hidden = false;
    return;
  }
  if (current.role !== "officer" || !current.tax_office) {
    document.getElementById("office-not-officer").hidden = false;
    return;
  }
  document.getElementById("office").hidden = false;
  const office = document.getElementById("office-of");
  const showOffice = () => { office.textContent = t("office_of", { office: current.tax_office }); };
  showOffice();
  await Promise.all(Object.keys(queues).map(load));
  document.addEventListener("languagechange", () => {
    showOffice();
    Object.keys(answers).forEach(draw);
  });
});
