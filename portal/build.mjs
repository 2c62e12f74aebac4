// Builds the portal into portal/dist: each page of portal/pages/ in the common layout, its text
// filled in Chinese from src/i18n.js (the pages read well before any script runs), and one
// bundled script per page (esbuild, pinned in package.json). Nothing is fetched at run time
// from anywhere but the stage's own bucket and API.
//
//   node portal/build.mjs            build portal/dist
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { messages } from "./src/i18n.js";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
const zh = messages.zh;

/** Fill each empty element carrying data-i18n with its Chinese text, and each data-i18n-attr
 * ("attr:key;…") with its attributes; an unknown key fails the build. */
export function fill(html) {
  const text = (key) => {
    if (!(key in zh)) throw new Error(`unknown text key ${key}`);
    return zh[key].replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
  };
  return html
    .replace(/(<(\w+)\b[^>]*\sdata-i18n="(\w+)"[^>]*>)(<\/\2>)/g,
      (_, open, _tag, key, close) => `${open}${text(key)}${close}`)
    .replace(/\sdata-i18n-attr="([^"]+)"/g, (whole, pairs) => whole + pairs.split(";").map(
      (pair) => { const [attribute, key] = pair.split(":"); return ` ${attribute}="${text(key)}"`; },
    ).join(""));
}

/** The knowledge base's topics, in i18n.js's order (its ``topic_<key>`` texts; the keys are
 * etax.knowledge.articles.TOPICS, tests/unit/test_portal_topics.py): ``<!-- topics -->`` in a
 * page becomes one option per topic. */
const topics = Object.keys(zh).filter((key) => key.startsWith("topic_"))
  .map((key) => `<option value="${key.slice("topic_".length)}" data-i18n="${key}"></option>`)
  .join("\n");

function layout(name, title, body) {
  const nav = [["index", "nav_home"], ["verify", "nav_verify"], ["lottery", "nav_lottery"],
    ["check", "nav_check"], ["tools", "nav_tools"], ["knowledge", "nav_knowledge"],
    ["consult", "nav_consult"], ["crowd", "nav_crowd"], ["ideas", "nav_ideas"], ["school", "nav_school"],
    ["apps", "nav_apps"],
    ["me", "nav_me"],
    ["inbox", "nav_inbox"],
    ["office", "nav_office"],
  ].map(([page, key]) => {
    const current = page === name ? ' aria-current="page"' : "";
    // the officer's review desk is listed only to a signed-in officer (common.js shows it)
    const only = page === "office" ? ' id="nav-office" hidden' : "";
    return `<li${only}><a href="${page}.html"${current} data-i18n="${key}"></a></li>`;
  }).join("");
  return fill(`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${zh[title]} · ${zh.brand}</title>
<link rel="stylesheet" href="styles.css">
<script type="module" src="assets/${name}.js"></script>
</head>
<body data-title="${title}">
<a class="skip" href="#main" data-i18n="skip"></a>
<header class="site">
<p class="brand"><a href="index.html" data-i18n="brand"></a></p>
<nav data-i18n-attr="aria-label:nav_label"><ul>${nav}</ul></nav>
<p class="session"><span id="session-status" data-i18n="not_signed_in"></span>
<a id="session-link" href="signin.html" data-i18n="nav_signin"></a>
<button id="lang-switch" type="button" lang="en" data-i18n="lang_switch" data-i18n-attr="aria-label:lang_switch_label"></button></p>
</header>
<main id="main" tabindex="-1">
<p id="alert" role="alert" class="alert" hidden></p>
${body.trim().replaceAll("<!-- topics -->", topics)}
</main>
</body>
</html>
`);
}

export async function buildPortal() {
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(join(dist, "assets"), { recursive: true });
  const pages = readdirSync(join(root, "pages")).filter((f) => f.endsWith(".html")).sort();
  for (const file of pages) {
    const name = file.slice(0, -".html".length);
    const source = readFileSync(join(root, "pages", file), "utf8");
    const title = /^<!-- title: (\w+) -->\n/.exec(source);
    if (!title) throw new Error(`${file} must start with <!-- title: key -->`);
    writeFileSync(join(dist, file), layout(name, title[1], source.slice(title[0].length)));
  }
  copyFileSync(join(root, "styles.css"), join(dist, "styles.css"));
  await build({
    entryPoints: pages.map((f) => join(root, "src", f.replace(/\.html$/, ".js"))),
    outdir: join(dist, "assets"),
    bundle: true,
    format: "esm",
    target: ["es2022"],
    minify: true,
    legalComments: "eof",
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildPortal();
}
