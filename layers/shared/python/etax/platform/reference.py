"""The API's contract as served: the OpenAPI 3.1 document written at build time by
``scripts/openapi.py`` (``openapi.json`` beside this module, in the shared layer) and a plain
HTML page of it made here, with nothing fetched from elsewhere (docs/decisions/0019).

The platform function imports this module inside its two routes, never at init: its cold
start stays what it was.
"""

from __future__ import annotations

import json
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

DOCUMENT = Path(__file__).with_name("openapi.json")
METHODS = ("get", "put", "post", "patch", "delete")


@cache
def document_text() -> str:
    """The document's JSON text, as written at build time."""
    return DOCUMENT.read_text(encoding="utf-8")


@cache
def page_html() -> str:
    """The reference page of the packaged document."""
    return page(json.loads(document_text()))


def _security(operation: dict[str, Any]) -> str:
    schemes: list[str] = [str(name) for requirement in operation.get("security", [])
                          for name in requirement]
    if not schemes:
        return "public"
    return {"bearer": "signed in (bearer JWT)",
            "partnerKey": "partner (API key and signature)"}.get(schemes[0], schemes[0])


def _schema_name(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        return f'<a href="#schema-{escape(name)}">{escape(name)}</a>'
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return " | ".join(_schema_name(s) for s in schema[key])
    return escape(str(schema.get("type", "any")))


def _operation(path: str, method: str, operation: dict[str, Any]) -> str:
    rows = []
    for parameter in operation.get("parameters", []):
        meaning = parameter.get("description")
        rows.append(f"<li><code>{escape(parameter['name'])}</code> ({escape(parameter['in'])}"
                    f"{', required' if parameter.get('required') else ''})"
                    f"{': ' + escape(meaning) if meaning else ''}</li>")
    body = operation.get("requestBody", {}).get("content", {})
    for media, content in body.items():
        rows.append(f"<li>body ({escape(media)}): {_schema_name(content.get('schema', {}))}"
                    "</li>")
        if "example" in content:
            example = json.dumps(content["example"], ensure_ascii=False, indent=1)
            rows.append(f"<li>example: <pre>{escape(example)}</pre></li>")
    answers = []
    for status, response in operation.get("responses", {}).items():
        if "$ref" in response:
            answers.append(f'<a href="#problems">{escape(status)}</a>')
            continue
        for media, content in response.get("content", {}).items():
            answers.append(f"<strong>{escape(status)}</strong> {escape(media)} "
                           f"{_schema_name(content.get('schema', {}))}")
    anchor = escape(operation.get("operationId", f"{method}{path}"))
    description = operation.get("description", "")
    return (f'<section id="{anchor}"><h3><code>{method.upper()} {escape(path)}</code></h3>'
            f"<p>{escape(_security(operation))}"
            f"{' &middot; local stack only' if operation.get('x-etax-local-only') else ''}</p>"
            + (f"<p>{escape(description)}</p>" if description else "")
            + (f"<ul>{''.join(rows)}</ul>" if rows else "")
            + f"<p>answers: {', '.join(answers)}</p></section>")


def page(document: dict[str, Any]) -> str:
    """A self-contained HTML page of ``document``: its operations by tag, the problems they
    answer and every schema (as JSON)."""
    by_tag: dict[str, list[str]] = {}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                tag = (item[method].get("tags") or ["api"])[0]
                by_tag.setdefault(tag, []).append(_operation(path, method, item[method]))
    components = document.get("components", {})
    problems = "".join(f"<li><strong>{escape(name.removeprefix('Problem'))}</strong> "
                       f"{escape(r['description'])}</li>"
                       for name, r in components.get("responses", {}).items())
    schemas = "".join(
        f'<section id="schema-{escape(name)}"><h3>{escape(name)}</h3><pre>'
        f"{escape(json.dumps(schema, ensure_ascii=False, indent=1))}</pre></section>"
        for name, schema in components.get("schemas", {}).items())
    info = document.get("info", {})
    contents = "".join(f'<li><a href="#tag-{escape(t)}">{escape(t)}</a></li>' for t in by_tag)
    tags = "".join(f'<h2 id="tag-{escape(t)}">{escape(t)}</h2>{"".join(ops)}'
                   for t, ops in by_tag.items())
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(info.get('title', 'API'))}</title>"
            "<style>body{font-family:sans-serif;max-width:60rem;margin:auto;padding:1rem}"
            "pre{background:#f4f4f4;padding:.5rem;overflow:auto}section{border-top:1px solid "
            "#ddd}</style></head><body>"
            f"<h1>{escape(info.get('title', 'API'))} {escape(info.get('version', ''))}</h1>"
            f"<p>{escape(info.get('description', ''))}</p>"
            '<p>The machine-readable document: <a href="openapi.json">openapi.json</a> '
            "(OpenAPI 3.1).</p>"
            f"<ul>{contents}<li><a href=\"#problems\">problems</a></li>"
            "<li><a href=\"#schemas\">schemas</a></li></ul>"
            f"{tags}<h2 id=\"problems\">Problems (application/problem+json)</h2>"
            f"<ul>{problems}</ul><h2 id=\"schemas\">Schemas</h2>{schemas}</body></html>")
