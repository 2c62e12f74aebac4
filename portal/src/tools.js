// The tax toolbox: the service guide (a matter's steps, channels and this month's deadlines),
// and the calculators: each form posts its filled fields to its calculator and shows the
// answer's main figures, then every step of the computation as a table, and the rules used.
import { stepLabels } from "./i18n.js";
import {
  alertText, api, busy, element, facts, formBody, known, lang, page, problemText, t, table,
} from "./common.js";

const answers = new Map(); // form → its last answer, to redraw on a language switch

/** A step's label in the page's language (the calculators write them in English). */
function stepLabel(label) {
  if (lang() === "en") return label;
  const numbered = /^(.*?)(\d+)(.*)$/.exec(label);
  if (stepLabels[label]) return stepLabels[label];
  if (numbered && stepLabels[`${numbered[1]}#${numbered[3]}`]) {
    return stepLabels[`${numbered[1]}#${numbered[3]}`].replace("#", numbered[2]);
  }
  return label;
}

function value(data) {
  if (typeof data === "boolean") return t(data ? "yes" : "no");
  return known(`value_${data}`, data);
}

function show(form) {
  const data = answers.get(form);
  if (!data) return;
  const section = form.nextElementSibling;
  const heading = section.querySelector("h3");
  heading.textContent = t("tool_result");
  const body = section.querySelector("div");
  body.replaceChildren(facts(form.dataset.show.split(",").map((key) => [`res_${key}`,
    data[key] === undefined || data[key] === null ? null : value(data[key])])));
  if (data.months) {
    body.append(table("withholding_months", ["col_month", "res_taxable", "res_rate",
      "res_cumulative_tax", "col_withholding"], data.months.map((month) => [month.month,
      month.cumulative_taxable, month.rate, month.cumulative_tax, month.withholding])));
  }
  if (data.steps?.length) {
    body.append(table("steps_caption", ["col_step", "col_formula", "col_value"],
      data.steps.map((step) => [stepLabel(step.label), step.formula, value(step.value)])));
  }
  if (data.rules?.length) {
    body.append(table("rules_caption", ["col_table", "col_from", "col_to"],
      data.rules.map((rule) => [rule.table, rule.effective_from, rule.effective_to ?? "—"])));
  }
  section.hidden = false;
}

function choose(form) {
  // a form with variants (the VAT's two kinds of taxpayer) sends the chosen one's fields only
  const chosen = form.querySelector("input[name=taxpayer]:checked")?.value;
  for (const variant of form.querySelectorAll("fieldset.variant")) {
    const on = variant.id === `${form.id}-${chosen}`;
    variant.disabled = !on;
    variant.hidden = !on;
  }
}

// -- the service guide: a taxpayer type's matters, then one matter's steps and deadlines ------

const ZH = "zh-CN"; // the guide's own text is Chinese in either language
let guideAnswer = null;

async function loadMatters(form) {
  const type = form.taxpayer_type.value;
  const answer = await api(`/v1/guide?taxpayer_type=${encodeURIComponent(type)}`);
  // the first load and a quick change of type race: only the type still chosen fills the list
  if (form.taxpayer_type.value !== type) return;
  if (!answer.ok) {
    alertText(problemText(answer));
    return;
  }
  form.matter.replaceChildren(...answer.data.matters.map((matter) =>
    element("option", matter.title, { value: matter.id })));
}

function guideStep(step) {
  const item = element("li");
  item.append(element("h5", step.title, { lang: ZH }), element("p", step.detail, { lang: ZH }));
  const list = facts([
    ["guide_documents", step.documents.join("、")],
    ["guide_channels", step.channels.map((channel) => channel.label).join("、")],
    ["guide_route", step.route],
  ]);
  for (const node of list.querySelectorAll("dd")) node.setAttribute("lang", ZH);
  if (step.page) {
    list.append(element("dt", t("guide_page")));
    const cell = element("dd");
    cell.append(element("a", `${t("guide_open_page")} ${step.page.replace(/^\//, "")}`,
      { href: step.page.replace(/^\//, "") }));
    list.append(cell);
  }
  item.append(list);
  return item;
}

function showGuide() {
  const guide = guideAnswer;
  if (!guide) return;
  document.getElementById("guide-result-heading").textContent =
    `${guide.title}（${guide.taxpayer_type_label}）`;
  const body = document.getElementById("guide-result-body");
  body.replaceChildren(element("p", guide.summary, { lang: ZH }));
  if (guide.deadlines.length) {
    // four columns read on a phone: the tax is the matter's, the first day only said when
    // the period is not open yet
    body.append(table("guide_deadlines", ["col_period", "col_due", "col_days_left",
      "col_status"], guide.deadlines.map((deadline) => [deadline.period, deadline.due_date,
      String(deadline.days_left), deadline.state === "not_yet_open"
        ? t("guide_opens_on", { day: deadline.opens }) : t(`guide_state_${deadline.state}`)])));
    if (guide.deadlines.some((deadline) => !deadline.calendar_known)) {
      body.append(element("p", t("guide_calendar_unknown"), { class: "hint" }));
    }
  } else {
    body.append(element("p", t("guide_no_deadline")));
  }
  body.append(element("h4", t("guide_steps")));
  const steps = element("ol", null, { class: "steps" });
  steps.append(...guide.steps.map(guideStep));
  body.append(steps);
  if (guide.rules.length) {
    body.append(table("rules_caption", ["col_table", "col_from", "col_to"],
      guide.rules.map((rule) => [rule.table, rule.effective_from, rule.effective_to ?? "—"])));
  }
  body.append(element("p", t("guide_revised", { version: guide.version, revised: guide.revised }),
    { class: "hint" }));
  document.getElementById("guide-result").hidden = false;
}

function startGuide() {
  const form = document.getElementById("guide");
  loadMatters(form);
  form.taxpayer_type.addEventListener("change", () => loadMatters(form));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form, async () => {
      const query = new URLSearchParams({ taxpayer_type: form.taxpayer_type.value,
        matter: form.matter.value });
      const answer = await api(`/v1/guide?${query}`);
      if (!answer.ok) {
        alertText(problemText(answer));
        return;
      }
      guideAnswer = answer.data;
      showGuide();
      document.getElementById("guide-result-heading").focus();
    });
  });
  document.addEventListener("languagechange", showGuide);
}

page(() => {
  startGuide();
  for (const form of document.querySelectorAll("form.tool")) {
    const section = element("section", null, { class: "card result", "aria-live": "polite" });
    const heading = element("h3", null, { id: `${form.id}-result`, tabindex: "-1" });
    section.setAttribute("aria-labelledby", heading.id);
    section.hidden = true;
    section.append(heading, element("div"));
    form.after(section);
    form.addEventListener("change", () => choose(form));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(form, async () => {
        const answer = await api(form.dataset.path, { method: "POST", body: formBody(form) });
        if (!answer.ok) {
          alertText(problemText(answer));
          return;
        }
        answers.set(form, answer.data);
        show(form);
        heading.focus();
      });
    });
  }
  document.addEventListener("languagechange", () => {
    for (const form of answers.keys()) show(form);
  });
});
