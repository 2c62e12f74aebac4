// The signed-in taxpayer's own area: its registration, filing obligations (each with its return
// and payments, a confirmed payment's receipt on request), the invoices it issued and received
// (page by page), refunds (with each case's stages on request) and invoice-supply applications,
// each as its route answers it.
import {
  alertText, api, element, facts, known, masked, page, problemText, session, t, table, when,
} from "./common.js";

const answers = {}; // section → its answer, to redraw on a language switch
const stages = new Map(); // refund case id → its view, once asked for
const receipts = new Map(); // payment id → its signed receipt, once asked for

/** A resident ID (18 characters, ISO 7064 MOD 11-2 check) rather than a credit code. */
function isResidentId(subject) {
  if (!/^\d{17}[\dX]$/.test(subject)) return false;
  const sum = [...subject.slice(0, 17)].reduce((total, digit, i) =>
    total + Number(digit) * (2 ** (17 - i) % 11), 0);
  return "10X98765432"[sum % 11] === subject[17];
}

function fill(name, rows) {
  const section = document.getElementById(`me-${name}`);
  section.querySelector(".empty").hidden = rows !== null;
  section.querySelector(".body").replaceChildren(...(rows ?? []));
}

function label(prefix, value) {
  return known(`${prefix}_${value}`, value);
}

const render = {
  registration(data) {
    if (!data) return null;
    if (data.resident_id) {
      return [facts([["reg_name", data.name], ["resident_id", masked(data.resident_id)],
        ["reg_office", data.tax_office_code],
        ["real_name", t(data.real_name?.verified ? "yes" : "no")],
        ["registered_at", when(data.registered_at)]])];
    }
    return [facts([["reg_name", data.name], ["credit_code", data.credit_code],
      ["reg_status", data.status_label], ["taxpayer_type", data.taxpayer_type_label],
      ["reg_date", data.registration_date],
      ["reg_office", `${data.tax_office.code} ${data.tax_office.name}`],
      ["legal_representative", data.legal_representative], ["address", data.address],
      ["industry", data.industry]])];
  },
  obligations(data) {
    if (!data.obligations.length) return null;
    return data.obligations.map((o) => {
      const entry = element("article", null, { class: "case" });
      const filed = o.return ? t("return_filed", { when: when(o.return.filed_at) })
        : t("return_not_filed");
      entry.append(element("h3", `${label("tax", o.tax_type)} · ${o.period}`), facts([
        ["col_due", o.due_date], ["col_status", label("filing", o.status)],
        ["me_return", filed], ["tax_due", o.liability?.tax],
        ["col_outstanding", o.liability?.outstanding ?? "—"]]));
      const payments = o.payments ?? [];
      if (!payments.length) {
        entry.append(element("p", t("no_payments"), { class: "empty" }));
        return entry;
      }
      entry.append(table("me_payments", ["col_method", "col_amount", "col_status", "col_at"],
        payments.map((p) => [label("method", p.method), p.amount, label("payment", p.status),
          when(p.confirmed_at ?? p.created_at)])));
      for (const p of payments.filter((line) => line.receipt)) {
        const receipt = receipts.get(p.payment_id);
        if (receipt) {
          entry.append(element("h4", t("receipt", { number: p.payment_id }),
            { id: `receipt-${p.payment_id}`, tabindex: "-1" }), facts([
            ["col_amount", receipt.document.amount], ["paid_on", receipt.document.paid_on],
            ["col_method", label("method", receipt.document.method)],
            ["provider_ref", receipt.document.provider_ref]]));
          continue;
        }
        const button = element("button", `${t("show_receipt")} · ${p.amount}`,
          { type: "button" });
        button.addEventListener("click", async () => {
          const answer = await api(p.receipt, { auth: true });
          if (!answer.ok) {
            alertText(problemText(answer));
            return;
          }
          receipts.set(p.payment_id, answer.data);
          draw("obligations");
          document.getElementById(`receipt-${p.payment_id}`)?.focus(); // the button is gone
        });
        entry.append(button);
      }
      return entry;
    });
  },
  issued(data) {
    return invoices(data, "col_buyer");
  },
  received(data) {
    return invoices(data, "col_seller");
  },
  refunds(data) {
    if (!data.items.length) return null;
    return data.items.map((item) => {
      const entry = element("article", null, { class: "case" });
      entry.append(element("h3", `${label("refund", item.kind)} · ${item.amount}`,
        { id: `case-${item.id}`, tabindex: "-1" }), facts([
        ["case_id", item.id], ["col_status", label("refund_state", item.state)],
        ["submitted_at", when(item.submitted_at)]]));
      const view = stages.get(item.id);
      if (view) {
        entry.append(table("refund_stages", ["col_stage", "col_at", "col_note"],
          view.stages.map((stage) => [known(`refund_state_${stage.state}`, stage.label),
            when(stage.at), stage.note])));
      } else {
        const button = element("button", t("show_stages"), { type: "button" });
        button.addEventListener("click", async () => {
          const answer = await api(`/v1/refunds/${encodeURIComponent(item.id)}`, { auth: true });
          if (!answer.ok) {
            alertText(problemText(answer));
            return;
          }
          stages.set(item.id, answer.data);
          draw("refunds");
          document.getElementById(`case-${item.id}`)?.focus(); // the button is gone
        });
        entry.append(button);
      }
      return entry;
    });
  },
  supplies(data) {
    if (!data.applications.length) return null;
    return [table("me_supplies", ["case_id", "col_kind", "col_what", "col_status", "col_at"],
      data.applications.map((a) => [a.id, label("supply", a.kind),
        a.kind === "paper" ? `${a.invoice_type_name} × ${a.quantity}` : a.monthly_quota,
        label("supply_state", a.state), when(a.applied_at)]))];
  },
};

function invoices(data, party) {
  if (!data.items.length) return null;
  return [table(`me_${data.direction}`, ["col_number", "col_issue_date", party, "col_total",
    "col_status"], data.items.map((i) => [i.number, i.issue_date, i.counterparty.name, i.total,
    label("invoice_status", i.status)]))];
}

function draw(name) {
  if (name in answers) fill(name, render[name](answers[name]));
  if (name === "issued" || name === "received") {
    document.querySelector(`#me-${name} .more`).hidden = !answers[name]?.cursor;
  }
}

/** A list of the caller's invoices, and its "more" button asking for the next page. */
async function loadInvoices(direction) {
  const path = (cursor) => `/v1/invoices?direction=${direction}`
    + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : "");
  await load(direction, path());
  document.querySelector(`#me-${direction} .more`).addEventListener("click", async () => {
    const before = answers[direction];
    const answer = await api(path(before.cursor), { auth: true });
    if (!answer.ok) {
      alertText(problemText(answer));
      return;
    }
    answers[direction] = { ...answer.data, items: [...before.items, ...answer.data.items] };
    draw(direction);
  });
}

async function load(name, path) {
  const answer = await api(path, { auth: true });
  if (name === "registration" && answer.status === 404) {
    answers[name] = null; // not registered (yet): the empty state says so
  } else if (!answer.ok) {
    alertText(problemText(answer));
    return;
  } else {
    answers[name] = answer.data;
  }
  draw(name);
}

page(async () => {
  const current = session();
  if (!current) {
    document.getElementById("me-signin").hidden = false;
    return;
  }
  document.getElementById("me").hidden = false;
  // a section loaded after the switch is drawn in the new language; one drawn before, again
  document.addEventListener("languagechange", () => Object.keys(answers).forEach(draw));
  const subject = encodeURIComponent(current.subject);
  await Promise.all([
    load("registration", isResidentId(current.subject)
      ? `/v1/registration/natural-persons/${subject}` : `/v1/registration/records/${subject}`),
    load("obligations", "/v1/filing/obligations"),
    loadInvoices("issued"),
    loadInvoices("received"),
    load("refunds", "/v1/refunds"),
    load("supplies", "/v1/invoice-supplies"),
  ]);
});
