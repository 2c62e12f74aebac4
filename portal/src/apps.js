// The app square: the published taxpayer apps, searched by name, summary and category; each
// with its latest version's checksum and release notes, and a download link asked for on
// demand (it expires after five minutes: the checksum lets the person check the file).
import { alertText, api, busy, element, page, problemText, t } from "./common.js";

const ZH = "zh-CN"; // the apps' own names, summaries and notes are Chinese in either language
let shown = [];
const links = new Map(); // "<app>/<version>" → the link answered

function appItem(app) {
  const item = element("li");
  item.append(element("h3", app.name, { lang: ZH }),
    element("p", app.summary, { lang: ZH }),
    element("p", [app.category_name, t(`apps_by_${app.publisher_kind}`),
      app.rating ? t("apps_rating", { rating: app.rating, count: app.ratings })
        : t("apps_no_rating"),
      t("apps_downloads", { count: app.downloads })].join(" · "), { class: "hint" }));
  const latest = app.versions.find((v) => v.version === app.latest) ?? app.versions[0];
  if (!latest) return item;
  item.append(element("p", t("apps_version", { version: latest.version, size: latest.size })),
    element("p", `${t("apps_notes")}：${latest.release_notes}`, { lang: ZH }),
    element("p", `SHA-256 ${latest.sha256}`, { class: "hint digest" }));
  const key = `${app.id}/${latest.version}`;
  const link = links.get(key);
  if (link) {
    item.append(element("a", t("apps_link"), { href: link.url, download: link.filename }));
  } else {
    const ask = element("button", t("apps_download"), { type: "button",
      "aria-label": `${t("apps_download")}：${app.name} ${latest.version}` });
    ask.addEventListener("click", async () => {
      ask.disabled = true;
      const answer = await api(`/v1/apps/${encodeURIComponent(app.id)}/versions/`
        + `${encodeURIComponent(latest.version)}/downloads`, { method: "POST" });
      ask.disabled = false;
      if (!answer.ok) {
        alertText(problemText(answer));
        return;
      }
      alertText(null);
      links.set(key, answer.data);
      render();
    });
    item.append(ask);
  }
  return item;
}

function render() {
  document.getElementById("apps-empty").hidden = shown.length > 0;
  document.getElementById("apps-items").replaceChildren(...shown.map(appItem));
}

async function load(form) {
  const query = new URLSearchParams();
  if (form?.q.value.trim()) query.set("q", form.q.value.trim());
  if (form?.category.value) query.set("category", form.category.value);
  const answer = await api(`/v1/apps?${query}`);
  if (!answer.ok) {
    alertText(problemText(answer));
    return false;
  }
  shown = answer.data.apps;
  render();
  return true;
}

page(() => {
  const form = document.getElementById("apps-search");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form, async () => {
      if (await load(form)) document.getElementById("apps-list-heading").focus();
    });
  });
  load(null);
  document.addEventListener("languagechange", render);
});
