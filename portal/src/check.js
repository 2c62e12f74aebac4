// Public checks: what a unified social credit code's parts say and whether it is registered,
// whether a tax certificate was issued by the platform (and a copy is the one issued), and
// whether a field document an inspector shows was issued and still stands.
import { alertText, api, busy, element, facts, known, page, problemText, t } from "./common.js";

const shown = {}; // the last answer of each check, to redraw on a language switch

function verdict(key, good) {
  return element("p", t(key), { class: `verdict verdict-${good ? "good" : "bad"}` });
}

function named(part) {
  return part?.name ? `${part.code} ${part.name}` : part?.code;
}

function showCode() {
  const answer = shown.code;
  if (!answer) return;
  const { structure, registration } = answer;
  const body = document.getElementById("code-result-body");
  const good = answer.checksum_valid && answer.registered;
  body.replaceChildren(
    verdict(!answer.checksum_valid ? "code_invalid" : answer.registered ? "code_registered"
      : "code_unregistered", good),
    element("p", t(!answer.checksum_valid ? "explain_code_invalid" : answer.registered
      ? "explain_code_registered" : "explain_code_unregistered")),
    facts([
      ["credit_code", answer.credit_code],
      ["checksum", answer.checksum_valid ? t("checksum_valid") : answer.checksum_reason],
      ["part_authority", named(structure.registration_authority)],
      ["part_entity", named(structure.entity_type)],
      ["part_region", structure.region_code],
      ["part_organization", structure.organization_code],
      ["part_check", t("check_character", { given: structure.check_character,
        expected: structure.expected_check_character })],
      ["reg_name", registration?.name],
      ["reg_status", registration?.status_label],
      ["reg_date", registration?.registration_date],
      ["reg_office", registration && named(registration.tax_office)],
    ]),
  );
  for (const warning of answer.warnings) body.append(element("p", warning, { class: "hint" }));
  document.getElementById("code-result").hidden = false;
}

function certificateVerdict(answer) {
  if (!answer.ok) return ["cert_unknown", false];
  const { data } = answer;
  if (data.authentic) return [data.matches ? "cert_same_copy" : "cert_authentic", true];
  return [data.matches === false ? "cert_other_copy" : "cert_altered", false];
}

function showCertificate() {
  const answer = shown.certificate;
  if (!answer) return;
  const [key, good] = certificateVerdict(answer);
  const body = document.getElementById("certificate-result-body");
  body.replaceChildren(verdict(key, good), element("p", t(`explain_${key}`)));
  if (answer.ok) {
    const { data } = answer;
    const holder = data.holder ?? {};
    const id = holder.credit_code ?? holder.id_number ?? holder.resident_id;
    body.append(facts([
      ["certificate_number", data.number],
      ["cert_type", data.type_name],
      ["cert_issue_date", data.issue_date],
      ["cert_status", known(`cert_status_${data.status}`, data.status)],
      ["cert_holder", id ? `${holder.name ?? ""}（${id}）` : holder.name],
      ["cert_office", named(data.tax_office)],
      ["cert_digest", data.digest],
      ["cert_key", data.signature?.key_id],
    ]));
  } else {
    body.append(element("p", problemText(answer), { class: "hint" }));
  }
  document.getElementById("certificate-result").hidden = false;
}

function fieldDocumentVerdict(answer) {
  if (!answer.ok) return ["fd_unknown", false];
  const { data } = answer;
  if (!data.authentic) return ["fd_altered", false];
  return data.status === "withdrawn" ? ["fd_withdrawn", false] : ["fd_authentic", true];
}

function showFieldDocument() {
  const answer = shown["field-document"];
  if (!answer) return;
  const [key, good] = fieldDocumentVerdict(answer);
  const body = document.getElementById("field-document-result-body");
  body.replaceChildren(verdict(key, good), element("p", t(`explain_${key}`)));
  if (answer.ok) {
    const { data } = answer;
    body.append(facts([
      ["fd_number", data.number],
      ["fd_kind", data.kind_name],
      ["cert_issue_date", data.issue_date],
      ["cert_status", known(`fd_status_${data.status}`, data.status)],
      ["fd_taxpayer", `${data.taxpayer.name}（${data.taxpayer.credit_code}）`],
      ["cert_office", named(data.tax_office)],
      ["fd_inspectors", data.inspectors.join("、")],
      ["cert_digest", data.digest],
    ]));
  } else {
    body.append(element("p", problemText(answer), { class: "hint" }));
  }
  document.getElementById("field-document-result").hidden = false;
}

const VERDICT_404 = new Set(["certificate", "field-document"]); // "not issued" is a verdict

async function check(form, which, path, show) {
  await busy(form, async () => {
    const answer = await api(path);
    if (!answer.ok && !(VERDICT_404.has(which) && answer.status === 404)) {
      alertText(problemText(answer));
      return;
    }
    shown[which] = VERDICT_404.has(which) ? answer : answer.data;
    show();
    document.getElementById(`${which}-result-heading`).focus();
  });
}

page(() => {
  document.getElementById("by-code").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = event.currentTarget.credit_code.value.trim().toUpperCase();
    check(event.currentTarget, "code", `/v1/registration/verify/${encodeURIComponent(code)}`,
      showCode);
  });
  document.getElementById("by-certificate").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const digest = form.digest.value.trim();
    const query = digest ? `?digest=${encodeURIComponent(digest)}` : "";
    check(form, "certificate",
      `/v1/certificates/${encodeURIComponent(form.number.value.trim())}/verify${query}`,
      showCertificate);
  });
  document.getElementById("by-field-document").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    check(form, "field-document",
      `/v1/field-documents/${encodeURIComponent(form.number.value.trim())}/verify`,
      showFieldDocument);
  });
  document.addEventListener("languagechange", () => {
    showCode(); showCertificate(); showFieldDocument();
  });
});
