// The invoice lottery: the campaign with its periods' seed commitments, a scan with its instant
// result (signed in as the invoice's buyer), and the payout of that draw.
import { alertText, api, busy, config, element, facts, page, problemText, session, t } from "./common.js";

const PENDING_QR = "etax.lottery.qr";
let drawn = null;

async function showCampaign() {
  const body = document.getElementById("campaign-body");
  const wanted = new URLSearchParams(location.search).get("campaign")
    ?? (await config()).lotteryCampaign;
  if (!wanted) {
    body.replaceChildren(element("p", t("campaign_none")));
    return;
  }
  const answer = await api(`/v1/lottery/campaigns/${encodeURIComponent(wanted)}`);
  if (!answer.ok) {
    body.replaceChildren(element("p", problemText(answer)));
    return;
  }
  const { campaign, periods } = answer.data;
  const list = element("ol", null, { class: "periods" });
  for (const period of periods) {
    const item = element("li", null);
    item.append(element("h3", t("period", period)), facts([
      ["commitment", period.commitment],
      ["odds", Object.entries(period.odds).map(([tier, odds]) => `${tier} ${odds}`).join("，")],
    ]));
    list.append(item);
  }
  body.replaceChildren(element("p", campaign.name, { class: "campaign-name" }), list);
}

function showDraw() {
  if (!drawn) return;
  const body = document.getElementById("draw-body");
  const result = drawn.result;
  const rows = [["draw_id", drawn.draw_id], ["number", drawn.invoice_number]];
  if (drawn.commitment) rows.push(["commitment", drawn.commitment]);
  const state = drawn.payout?.state;
  body.replaceChildren(
    element("p", t(`result_${result}`), { class: `verdict verdict-${result === "won" ? "good" : "bad"}` }),
    ...(drawn.prize ? [element("p", t("prize", { prize: drawn.prize }))] : []),
    facts(rows),
    element("p", t("payout_state", { state: t(`payout_${state ?? "none"}`) })),
  );
  document.getElementById("refresh-payout").hidden = result !== "won";
  document.getElementById("draw").hidden = false;
}

page(() => {
  showCampaign();
  const form = document.getElementById("scan");
  // an invoice brought from the verification page waits here through a sign-in
  const brought = new URLSearchParams(location.hash.slice(1)).get("qr");
  if (brought) sessionStorage.setItem(PENDING_QR, brought);
  form.qr.value = brought ?? sessionStorage.getItem(PENDING_QR) ?? "";
  if (!session()) {
    document.getElementById("scan-signin").hidden = false;
    form.hidden = true;
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form, async () => {
      const answer = await api("/v1/lottery/scan", {
        method: "POST", auth: true, idempotent: true,
        body: { qr: form.qr.value.trim(),
          payout: { method: form.method.value, account: form.account.value.trim() } },
      });
      if (!answer.ok) {
        alertText(problemText(answer));
        return;
      }
      drawn = answer.data;
      sessionStorage.removeItem(PENDING_QR);
      showDraw();
      document.getElementById("draw-heading").focus(); // a phone scrolls to the result
    });
  });
  document.getElementById("refresh-payout").addEventListener("click", async () => {
    const answer = await api(`/v1/lottery/draws/${encodeURIComponent(drawn.invoice_number)}`,
      { auth: true });
    if (!answer.ok) {
      alertText(problemText(answer));
      return;
    }
    drawn = { ...answer.data, commitment: drawn.commitment };
    showDraw();
  });
  document.addEventListener("languagechange", () => { showCampaign(); showDraw(); });
});
