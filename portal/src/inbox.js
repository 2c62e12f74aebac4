// The signed-in person's inbox: newest first, unread marked, each one markable as read.
import { alertText, api, element, page, problemText, session, t, when } from "./common.js";

let items = [];

function render() {
  const list = document.getElementById("inbox-items");
  document.getElementById("inbox-empty").hidden = items.length > 0;
  list.replaceChildren(...items.map((item) => {
    const entry = element("li", null, { class: item.read_at ? "message" : "message unread" });
    entry.append(
      element("h3", item.title),
      element("p", item.body),
      element("p", `${t(item.read_at ? "read" : "unread")} · ${t("received_at")} ${when(item.received_at)}`,
        { class: "hint" }),
    );
    if (!item.read_at) {
      const button = element("button", t("mark_read"), { type: "button" });
      button.addEventListener("click", async () => {
        const answer = await api("/v1/me/inbox/read",
          { method: "POST", auth: true, body: { ids: [item.id] } });
        if (!answer.ok) {
          alertText(problemText(answer));
          return;
        }
        item.read_at = new Date().toISOString();
        render();
      });
      entry.append(button);
    }
    return entry;
  }));
}

page(async () => {
  if (!session()) {
    document.getElementById("inbox-signin").hidden = false;
    return;
  }
  const answer = await api("/v1/me/inbox?limit=20", { auth: true });
  if (!answer.ok) {
    alertText(problemText(answer));
    return;
  }
  items = answer.data.items;
  document.getElementById("inbox").hidden = false;
  render();
  document.addEventListener("languagechange", render);
});
