// The officer's area: its tax office's review queues (online acceptance applications, refund
// cases, invoice supply applications), each item with what there is to decide and the decision:
// approve, or reject with a reason; and the risk indicators' open cases of the last two months
// (the watch-list), each judged a confirmed risk or a false alarm with the officer's finding;
// the internal approvals waiting for this officer, agreed or sent back for changes.
// A decided item leaves its queue and the result is announced. Above them, the office's revenue
// this year against its plan and the time progress: the server's chart, and its figures as a
// table (what the chart shows, for a screen reader too).
import {
  alertText, api, element, facts, known, masked, page, problemText, session, t, table, when,
} from "./common.js";

const REASON_MAX = 200; // the shortest limit of the three decision routes (invoice supply)
const answers = {}; // queue → its items, to redraw on a language switch and after a decision
const documents = new Map(); // acceptance application id → its documents, once read

function label(prefix, value) {
  return known(`${prefix}_${value}`, value);
}

/** An amount in fen as yuan, in integers (never a float): 226000 → "2,260.00". */
function yuan(fen) {
  const sign = fen < 0 ? "-" : "";
  const whole = Math.trunc(Math.abs(fen) / 100);
  return `${sign}${whole.toLocaleString("en-US")}.${String(Math.abs(fen) % 100).padStart(2, "0")}`;
}

/** The months before this one (China's calendar), newest first: ["2026-11", "2026-10"]. */
function recentMonths(count) {
  const now = new Date(Date.now() + 8 * 3600 * 1000);
  let year = now.getUTCFullYear();
  let month = now.getUTCMonth() + 1;
  const months = [];
  for (let n = 0; n < count; n += 1) {
    [year, month] = month > 1 ? [year, month - 1] : [year - 1, 12];
    months.push(`${year}-${String(month).padStart(2, "0")}`);
  }
  return months;
}

const RATIOS = new Set(["burden", "industry_mean", "share"]);

/** A case's figures, each named: amounts in yuan, ratios as percentages. */
function riskFigures(c) {
  return Object.entries(c.figures).filter(([, value]) => typeof value !== "object")
    .map(([key, value]) => `${label("risk_figure", key)}：${key.endsWith("_fen") ? yuan(value)
      : RATIOS.has(key) ? `${(Number(value) * 100).toFixed(2)}%` : value}`).join("；");
}

const DECISION = { // the words of the usual queue's decision form
  approve: "office_approve", reject: "office_reject", label: "office_reason_label",
  hint: "office_reason_hint", needed: "office_reason_needed", approved: "office_approved",
  rejected: "office_rejected", always: false,
};

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
  approvals: {
    path: "/v1/office/approvals?box=to-review",
    items: (data) => data.approvals,
    title: (a) => `${label("approval_category", a.category)} · ${a.title}`,
    facts: (a) => [["case_id", a.id], ["office_submitted_by", a.submitted_by],
      ["submitted_at", when(a.submitted_at)], ["office_body", a.body],
      ["office_turn", t("office_turn_of", { turn: a.position + 1, of: a.reviewers.length })],
      ["office_conditions", a.conditions.map((c) => `${c.by}：${c.text}`).join("；")],
      ["office_trail", a.trail.map((s) => `${when(s.at)} ${s.by} ${label("approval_step",
        s.action)}${s.text ? `（${s.text}）` : ""}`).join("；")]],
    decide: (a, approve, comment) => api(
      `/v1/office/approvals/${encodeURIComponent(a.id)}/decisions`,
      { method: "POST", auth: true, body: approve
        ? { decision: "approve", ...(comment ? { comment } : {}) }
        : { decision: "return", comment } }),
    decision: { approve: "office_agree", reject: "office_send_back",
      label: "office_comment_label", hint: "office_comment_hint",
      needed: "office_comment_needed", approved: "office_agreed", rejected: "office_sent_back",
      always: false },
  },
  risks: {
    months: 2, // a month's cases open once its VAT returns are due: the last two months'
    path: (month) => `/v1/analytics/risk-cases?month=${month}&verdict=open`,
    items: (data) => data.items,
    title: (c) => `${label("risk_indicator", c.indicator)} · ${c.month}`,
    facts: (c) => [["case_id", c.id], ["office_taxpayer", masked(c.taxpayer)],
      ["office_industry", c.industry], ["office_figures", riskFigures(c)],
      ["office_opened", when(c.opened_at)]],
    decide: (c, confirm, note) => api(
      `/v1/analytics/risk-cases/${encodeURIComponent(c.id)}/verdict`,
      { method: "POST", auth: true, idempotent: true,
        body: { verdict: confirm ? "confirmed" : "false_alarm", note } }),
    decision: { approve: "office_confirm", reject: "office_false_alarm",
      label: "office_note_label", hint: "office_note_hint", needed: "office_note_needed",
      approved: "office_confirmed", rejected: "office_dismissed", always: true },
  },
};

function announce(text) {
  document.getElementById("office-status").textContent = text;
}

/** One queued item: its heading, its facts, and the decision form. */
function entry(name, item) {
  const queue = queues[name];
  const words = queue.decision ?? DECISION;
  const id = `${name}-${item.id}`;
  const article = element("article", null, { class: "case", "aria-labelledby": `${id}-title` });
  article.append(element("h3", queue.title(item), { id: `${id}-title`, tabindex: "-1" }),
    facts(queue.facts(item)));
  const form = element("form", null, { class: "decision", novalidate: "" });
  const reason = element("textarea", null, {
    id: `${id}-reason`, name: "reason", rows: "2", maxlength: String(REASON_MAX),
    "aria-describedby": `${id}-hint`,
  });
  form.append(element("label", t(words.label), { for: `${id}-reason` }), reason,
    element("p", t(words.hint), { class: "hint", id: `${id}-hint` }),
    element("button", t(words.approve), { type: "submit", value: "approve" }),
    element("button", t(words.reject), { type: "submit", value: "reject", class: "reject" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const approve = event.submitter?.value === "approve";
    const text = reason.value.trim();
    alertText(null);
    reason.removeAttribute("aria-invalid");
    if ((!approve || words.always) && text.length < 2) {
      reason.setAttribute("aria-invalid", "true");
      alertText(t(words.needed));
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
  const words = queues[name].decision ?? DECISION;
  announce(t(approve ? words.approved : words.rejected,
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

/** A queue's items: its one route, or its route for each recent month, put together. */
async function read(queue) {
  if (!queue.months) return api(queue.path, { auth: true });
  const pages = await Promise.all(recentMonths(queue.months)
    .map((month) => api(queue.path(month), { auth: true })));
  return pages.find((answer) => !answer.ok)
    ?? { ok: true, data: { items: pages.flatMap((answer) => answer.data.items) } };
}

async function load(name) {
  const answer = await read(queues[name]);
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

/** Basis points as a percentage: 4355 → "43.55%"; none → "—". */
function percent(bp) {
  if (bp === null || bp === undefined) return "—";
  const sign = bp < 0 ? "-" : "";
  return `${sign}${Math.trunc(Math.abs(bp) / 100)}.${String(Math.abs(bp) % 100).padStart(2, "0")}%`;
}

let revenue = null; // this year's progress, to redraw on a language switch
let chartUrl = null;

function drawRevenue() {
  if (!revenue) return;
  const section = document.getElementById("office-revenue");
  const [standing] = revenue.offices;
  section.querySelector(".summary").textContent = t("office_revenue_summary", {
    year: revenue.year, as_of: revenue.as_of, collected: yuan(standing.collected_fen),
    plan: standing.plan_fen === null ? t("office_revenue_no_plan") : yuan(standing.plan_fen),
    progress: percent(standing.progress_bp), time: percent(revenue.time_progress_bp),
  });
  section.querySelector("img").alt = t("office_revenue_chart_alt", { year: revenue.year });
  section.querySelector(".body").replaceChildren(table("office_revenue_table",
    ["office_revenue_tax", "office_revenue_plan", "office_revenue_collected",
      "office_revenue_progress"],
    standing.taxes.map((row) => [label("tax", row.tax),
      row.plan_fen === null ? "—" : yuan(row.plan_fen), yuan(row.collected_fen),
      percent(row.progress_bp)])));
}

async function loadRevenue() {
  const year = new Date(Date.now() + 8 * 3600 * 1000).getUTCFullYear();
  const [shown, chart] = await Promise.all([
    api(`/v1/analytics/revenue-plans/${year}`, { auth: true }),
    api(`/v1/analytics/charts/plan?year=${year}`, { auth: true }),
  ]);
  if (!shown.ok) {
    alertText(problemText(shown));
    return;
  }
  revenue = shown.data;
  if (chart.ok && typeof chart.data === "string") {
    if (chartUrl) URL.revokeObjectURL(chartUrl);
    chartUrl = URL.createObjectURL(new Blob([chart.data], { type: "image/svg+xml" }));
    const figure = document.querySelector("#office-revenue figure");
    figure.querySelector("img").src = chartUrl;
    figure.hidden = false;
  }
  drawRevenue();
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
  await Promise.all([loadRevenue(), ...Object.keys(queues).map(load)]);
  document.addEventListener("languagechange", () => {
    showOffice();
    drawRevenue();
    Object.keys(answers).forEach(draw);
  });
});
