// Invoice verification: by the invoice's details, by its QR code's text, or by a photo of the
// QR code decoded here in the browser (jsQR); the verdict explained, and, for a genuine
// invoice checked by its QR code, a way on to the lottery.
import jsQR from "jsqr";

import { alertText, api, busy, element, facts, lang, page, problemText, t } from "./common.js";

let last = null; // the last answer and the QR text it was asked with, to redraw on a switch

async function verify(form, query) {
  await busy(form, async () => {
    const answer = await api("/v1/invoices/verify", { method: "POST", body: query });
    if (!answer.ok) {
      alertText(problemText(answer));
      return;
    }
    last = { verdict: answer.data, qr: query.qr ?? null };
    show();
    document.getElementById("result-heading").focus(); // a phone scrolls to the verdict
  });
}

function show() {
  if (!last) return;
  const { verdict, qr } = last;
  const body = document.getElementById("result-body");
  const code = verdict.result_code;
  const known = ["001", "002", "006", "009"].includes(code);
  const heading = element("p", known ? t(`code_${code}`) : code,
    { class: `verdict verdict-${code === "001" ? "good" : "bad"}` });
  const message = lang() === "en" ? verdict.message : verdict.message_zh;
  body.replaceChildren(heading, element("p", known ? t(`explain_${code}`) : message));
  if (verdict.checks_today !== null && verdict.checks_today !== undefined) {
    body.append(element("p", t("checks_today",
      { count: verdict.checks_today, limit: verdict.daily_limit }), { class: "hint" }));
  }
  const invoice = verdict.invoice;
  if (invoice) {
    const buyer = invoice.buyer.credit_code ?? invoice.buyer.id_number;
    body.append(facts([
      ["number", invoice.number],
      ["inv_type", invoice.type_name],
      ["issue_date", invoice.issue_date],
      ["inv_status", invoice.status_label],
      ["inv_seller", `${invoice.seller.name}（${invoice.seller.credit_code}）`],
      ["inv_buyer", buyer ? `${invoice.buyer.name}（${buyer}）` : invoice.buyer.name],
      ["inv_amount", invoice.amount],
      ["inv_tax", invoice.tax],
      ["inv_total", invoice.total],
    ]));
    if (qr) {
      // the QR text travels in the fragment: it never reaches a server's logs
      const link = element("a", t("to_lottery"), { href: `lottery.html#qr=${encodeURIComponent(qr)}` });
      const onward = element("p", null);
      onward.append(link);
      body.append(onward);
    }
  }
  document.getElementById("result").hidden = false;
}

async function decodePhoto(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
  const width = Math.round(bitmap.width * scale);
  const height = Math.round(bitmap.height * scale);
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0, width, height);
  const { data } = context.getImageData(0, 0, width, height);
  return jsQR(data, width, height, { inversionAttempts: "attemptBoth" })?.data ?? null;
}

page(() => {
  document.getElementById("by-number").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    verify(form, {
      number: form.number.value.trim(), issue_date: form.issue_date.value,
      total: form.total.value.trim(),
    });
  });
  document.getElementById("by-qr").addEventListener("submit", (event) => {
    event.preventDefault();
    verify(event.currentTarget, { qr: event.currentTarget.qr.value.trim() });
  });
  const photoForm = document.getElementById("by-photo");
  const status = document.getElementById("photo-status");
  const readPhoto = async () => {
    const file = photoForm.photo.files[0];
    if (!file) return;
    status.textContent = t("photo_reading");
    let payload = null;
    try {
      payload = await decodePhoto(file);
    } catch {
      payload = null;
    }
    if (!payload) {
      status.textContent = "";
      alertText(t("photo_none"));
      return;
    }
    status.textContent = t("photo_read", { payload });
    document.getElementById("qr").value = payload;
    await verify(photoForm, { qr: payload });
  };
  photoForm.photo.addEventListener("change", readPhoto);
  photoForm.addEventListener("submit", (event) => {
    event.preventDefault();
    readPhoto();
  });
  document.addEventListener("languagechange", show);
});
