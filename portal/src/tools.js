// The tax calculators: each form posts its filled fields to its calculator and shows the
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

page(() => {
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
