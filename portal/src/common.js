// What every page shares: the stage's configuration, the language, the signed-in session,
// calls to the API (problem+json answers turned into readable messages), and the header.
import { messages } from "./i18n.js";
import { logoutUrl } from "./oidc.js";

const LANG_KEY = "etax.lang";
const SESSION_KEY = "etax.session";

export function lang() {
  return localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh";
}

export function t(key, vars = {}) {
  const text = messages[lang()][key] ?? messages.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** Put every `data-i18n` text and `data-i18n-attr` ("attr:key;attr:key") in the language. */
export function applyLanguage(root = document) {
  document.documentElement.lang = lang() === "en" ? "en" : "zh-CN";
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of element.dataset.i18nAttr.split(";")) {
      const [attribute, key] = pair.split(":");
      element.setAttribute(attribute, t(key));
    }
  }
  document.title = `${t(document.body.dataset.title)} · ${t("brand")}`;
  // the switch is labelled in the other language, and says which
  document.getElementById("lang-switch")?.setAttribute("lang", lang() === "en" ? "zh-CN" : "en");
}

let configuration;

/** The stage's `config.json`, written beside the pages when they are published. */
export function config() {
  configuration ??= fetch("config.json", { cache: "no-store" }).then((response) => {
    if (!response.ok) throw new Error(`config.json: ${response.status}`);
    return response.json();
  });
  return configuration;
}

/** The signed-in session ({token, role, subject, tax_office, expires_at}), if still valid. */
export function session() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? "null");
    if (stored && stored.expires_at * 1000 > Date.now()) return stored;
  } catch {
    // a damaged entry is no session
  }
  sessionStorage.removeItem(SESSION_KEY);
  return null;
}

export function signIn(answer) {
  const expiresAt = Math.floor(Date.now() / 1000) + Number(answer.expires_in);
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({
    token: answer.token, role: answer.role, subject: answer.subject,
    tax_office: answer.tax_office ?? null, expires_at: expiresAt,
  }));
}

export function signOut() {
  sessionStorage.removeItem(SESSION_KEY);
}

/** A person's identifier shown masked, as the platform shows it: the first and last four. */
export function masked(subject) {
  return subject.length > 8 ? `${subject.slice(0, 4)}…${subject.slice(-4)}` : subject;
}

/**
 * Call the API: `{status, ok, data, retryAfter}`. `auth` sends the session's token,
 * `idempotent` a fresh Idempotency-Key (a retried click is then answered, not redone).
 */
export async function api(path, { method = "GET", body, auth = false, idempotent = false } = {}) {
  const { apiUrl } = await config();
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const current = session();
  if (auth && current) headers.Authorization = `Bearer ${current.token}`;
  if (idempotent) headers["Idempotency-Key"] = crypto.randomUUID();
  let response;
  try {
    response = await fetch(apiUrl.replace(/\/$/, "") + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { status: 0, ok: false, data: null, retryAfter: null };
  }
  const type = response.headers.get("Content-Type") ?? "";
  const data = type.includes("json") ? await response.json() : await response.text();
  return {
    status: response.status, ok: response.ok, data, retryAfter: response.headers.get("Retry-After"),
  };
}

/** A failed answer in words: the problem's detail, the field it names, when to retry. */
export function problemText(answer) {
  if (answer.status === 0) return t("error_network");
  const problem = answer.data && typeof answer.data === "object" ? answer.data : {};
  let text = problem.detail ?? problem.title ?? `HTTP ${answer.status}`;
  if (problem.field) text += t("error_field", { field: problem.field });
  if (answer.retryAfter) text += ` ${t("retry_after", { seconds: answer.retryAfter })}`;
  return text;
}

/** Show `text` in the page's alert region (read out by screen readers), or clear it. */
export function alertText(text) {
  const region = document.getElementById("alert");
  region.textContent = text ?? "";
  region.hidden = !text;
}

/** A form's submit button shows it is busy while `work` runs, and the alert is cleared. */
export async function busy(form, work) {
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  alertText(null);
  try {
    return await work();
  } finally {
    button.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

/** An element with text, for building results without ever parsing answers as HTML. */
export function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

const ENTITIES = { "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#x27;": "'", "&amp;": "&" };

/** A search snippet as the platform's searches give it (HTML-escaped text, the query's words
 * in <em>…</em>) made into text and <mark> nodes: nothing of it is ever parsed as HTML, so an
 * unexpected tag stays visible text. The snippet's own text is Chinese in either language. */
export function highlighted(snippet) {
  const unescape = (text) => text.replace(/&(?:lt|gt|quot|amp|#x27);/g, (e) => ENTITIES[e]);
  const node = element("p", null, { class: "snippet", lang: "zh-CN" });
  for (const part of String(snippet).split(/(<em>[\s\S]*?<\/em>)/)) {
    const marked = /^<em>([\s\S]*)<\/em>$/.exec(part);
    if (marked) node.append(element("mark", unescape(marked[1])));
    else if (part) node.append(document.createTextNode(unescape(part)));
  }
  return node;
}

/** A text key's message if the table has it in either language, else `fallback`. */
export function known(key, fallback) {
  return key in messages.zh ? t(key) : fallback;
}

/** A moment as the person reads it: China's time, in the page's language. */
export function when(instant) {
  if (!instant) return "";
  return new Date(instant).toLocaleString(lang() === "en" ? "en-GB" : "zh-CN",
    { timeZone: "Asia/Shanghai", dateStyle: "medium", timeStyle: "short" });
}

/** A table with a caption (a text key), column headers (text keys) and rows of values. */
export function table(caption, columns, rows) {
  const node = element("table", null, { class: "data" });
  node.append(element("caption", t(caption)));
  const head = element("tr");
  for (const key of columns) head.append(element("th", t(key), { scope: "col" }));
  const body = element("tbody");
  for (const row of rows) {
    const line = element("tr");
    for (const value of row) line.append(element("td", value ?? ""));
    body.append(line);
  }
  const thead = element("thead");
  thead.append(head);
  node.append(thead, body);
  const frame = element("div", null, { class: "scroll" });
  frame.append(node);
  return frame;
}

/** A form's filled fields as a JSON body: `a.b` names nest, numbers typed `number` are numbers,
 * empty fields are left out (the API's defaults apply). */
export function formBody(form) {
  const body = {};
  for (const field of form.elements) {
    if (!field.name || field.value.trim() === "" || field.matches(":disabled")
      || (field.type === "radio" && !field.checked)) continue;
    const path = field.name.split("."); // "sales.0.amount": a numbered part is a list's
    let target = body;
    path.slice(0, -1).forEach((part, i) => {
      target = target[part] ??= /^\d+$/.test(path[i + 1]) ? [] : {};
    });
    target[path.at(-1)] = field.type === "number" ? Number(field.value) : field.value.trim();
  }
  return body;
}

/** A definition list of [label key, value] rows (rows without a value are left out). */
export function facts(rows) {
  const list = element("dl", null, { class: "facts" });
  for (const [key, value] of rows) {
    if (value === undefined || value === null || value === "") continue;
    list.append(element("dt", t(key)), element("dd", value));
  }
  return list;
}

function renderSession() {
  const current = session();
  const status = document.getElementById("session-status");
  const link = document.getElementById("session-link");
  status.textContent = current ? t("signed_in_as", { who: masked(current.subject) })
    : t("not_signed_in");
  link.textContent = current ? t("nav_signout") : t("nav_signin");
  link.dataset.i18n = current ? "nav_signout" : "nav_signin";
  // the officer's review desk: in the navigation for a signed-in officer only
  const office = document.getElementById("nav-office");
  if (office) office.hidden = current?.role !== "officer";
}

/** After sign-out: the identity provider's logout (its session ends too) if the stage has one,
 * else the home page. */
function signedOut() {
  const home = new URL("index.html", location.href).href;
  config().then((settings) => location.assign(logoutUrl(settings.oidc, home) ?? home),
    () => location.assign(home));
}

/** Start a page: the language, the header's switch and session, then the page's own code. */
export function page(start) {
  applyLanguage();
  renderSession();
  document.getElementById("lang-switch").addEventListener("click", () => {
    localStorage.setItem(LANG_KEY, lang() === "en" ? "zh" : "en");
    applyLanguage();
    renderSession();
    document.dispatchEvent(new CustomEvent("languagechange"));
  });
  document.getElementById("session-link").addEventListener("click", (event) => {
    if (session()) {
      event.preventDefault();
      signOut();
      renderSession();
      signedOut();
    }
  });
  start?.();
}
