// Sign-in. On the local stack, the development token issuer mints a demo identity's token;
// a stage without it says sign-in is not configured here.
import { alertText, api, busy, config, element, masked, page, problemText, signIn, t } from "./common.js";

const PAGES = new Set(["index", "verify", "lottery", "inbox", "check", "tools", "me"]); // where `next` may lead
PAGES.add("office"); // the officer's review desk

function next() {
  const wanted = new URLSearchParams(location.search).get("next");
  return `${PAGES.has(wanted) ? wanted : "index"}.html`;
}

page(async () => {
  const settings = await config();
  if (!settings.devIssuer) {
    document.getElementById("signin-unavailable").hidden = false;
    return;
  }
  document.getElementById("dev-signin").hidden = false;
  const form = document.getElementById("signin");
  const list = document.getElementById("demo-identities");
  for (const identity of settings.demoIdentities ?? []) {
    if (!["taxpayer", "officer", "admin"].includes(identity.role)) continue;
    const button = element("button", t("use_identity",
      { who: `${t(`role_${identity.role}`)} ${masked(identity.subject)}` }), { type: "button" });
    button.addEventListener("click", () => {
      form.role.value = identity.role;
      form.subject.value = identity.subject;
      form.tax_office.value = identity.tax_office ?? "";
      form.subject.focus();
    });
    const item = element("li", null);
    item.append(button);
    list.append(item);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form, async () => {
      const body = { role: form.role.value, subject: form.subject.value.trim() };
      if (form.tax_office.value.trim()) body.tax_office = form.tax_office.value.trim();
      const answer = await api("/v1/auth/dev-token", { method: "POST", body });
      if (!answer.ok) {
        alertText(problemText(answer));
        return;
      }
      signIn(answer.data);
      location.assign(next());
    });
  });
});
