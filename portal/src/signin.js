// Sign-in. On a stage with an identity provider (config.json's `oidc`), the authorization code
// flow with PKCE (oidc.js); on the local stack, the development token issuer mints a demo
// identity's token; a stage with neither says sign-in is not configured here.
import { alertText, api, busy, config, element, masked, page, problemText, signIn, t } from "./common.js";
import { authorizeUrl, finish, isReturn, SignInError } from "./oidc.js";

const PAGES = new Set(["index", "verify", "lottery", "inbox", "check", "tools", "me", "knowledge",
  "consult", "ideas", "school", "apps"]); // where `next` may lead
PAGES.add("office"); // the officer's review desk

function next(wanted = new URLSearchParams(location.search).get("next")) {
  return `${PAGES.has(wanted) ? wanted : "index"}.html`;
}

/** The provider's sign-in: a button that goes there, and on its return the code exchanged. */
async function oidcSignIn(settings) {
  const oidc = { ...settings, redirectUri: settings.redirectUri ?? location.origin + location.pathname };
  document.getElementById("oidc-signin").hidden = false;
  const button = document.getElementById("oidc-start");
  button.addEventListener("click", async () => {
    button.disabled = true;
    location.assign(await authorizeUrl(oidc, new URLSearchParams(location.search).get("next")));
  });
  const params = new URLSearchParams(location.search);
  if (!isReturn(params)) return;
  history.replaceState(null, "", location.pathname); // the code is used once, never bookmarked
  try {
    const { session, next: wanted } = await finish(oidc, params);
    signIn(session);
    location.assign(next(wanted));
  } catch (error) {
    if (!(error instanceof SignInError)) throw error;
    alertText(t(error.key) + (error.detail ? ` (${error.detail})` : ""));
  }
}

page(async () => {
  const settings = await config();
  if (settings.oidc) {
    await oidcSignIn(settings.oidc);
    return;
  }
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
