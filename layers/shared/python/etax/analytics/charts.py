"""The officers' charts, drawn on the server as SVG (an image any browser, the portal or a
chat client shows; text, so the API passes it as it is): a horizontal bar a row, labelled,
its value written beside it, on an axis through zero (a movement may be negative), and an
optional marker line across the bars (a plan's time progress).

Pure: figures in, the document's text out. Every text that comes from data is escaped."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from xml.sax.saxutils import escape, quoteattr

WIDTH = 600
LABEL_WIDTH = 150
VALUE_WIDTH = 150
ROW = 28
BAR = 18
TOP = 64
BOTTOM = 36
MAX_BARS = 40
FONT = "'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
POSITIVE = "#2563a6"
NEGATIVE = "#b3261e"
MARKER = "#c77700"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int  # what the bar's length is proportional to (fen, basis points, …)
    text: str  # what is written beside it


def bar_chart(title: str, subtitle: str, bars: Sequence[Bar], *,
              marker: tuple[int, str] | None = None, empty: str = "no figures") -> str:
    """The SVG document of ``bars`` (the first :data:`MAX_BARS`), under ``title`` and
    ``subtitle``; ``marker`` a value and its caption, drawn as a line across the bars."""
    shown = list(bars[:MAX_BARS])
    plot_left = LABEL_WIDTH + 10
    plot_width = WIDTH - plot_left - VALUE_WIDTH
    values = [b.value for b in shown] + ([marker[0]] if marker else [])
    low, high = min([0, *values]), max([0, *values])
    span = Fraction(high - low) if high != low else Fraction(1)

    def x(value: int) -> float:
        return round(plot_left + float(Fraction(value - low) / span) * plot_width, 1)

    height = TOP + max(len(shown), 1) * ROW + BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label={quoteattr(title)} '
        f'font-family="{FONT}" font-size="14">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="16" y="26" font-size="17" font-weight="bold" fill="#1b1b1b">'
        f"{escape(title)}</text>",
        f'<text x="16" y="46" fill="#555555">{escape(subtitle)}</text>',
    ]
    if not shown:
        parts.append(f'<text x="{plot_left}" y="{TOP + 18}" fill="#555555">'
                     f"{escape(empty)}</text>")
    zero = x(0)
    for n, bar in enumerate(shown):
        y = TOP + n * ROW
        start, end = sorted((zero, x(bar.value)))
        colour = NEGATIVE if bar.value < 0 else POSITIVE
        parts += [
            f'<text x="{LABEL_WIDTH}" y="{y + BAR - 4}" text-anchor="end" fill="#1b1b1b">'
            f"{escape(_short(bar.label))}</text>",
            f'<rect x="{start}" y="{y}" width="{max(round(end - start, 1), 1)}" height="{BAR}" '
            f'fill="{colour}"><title>{escape(bar.label)}: {escape(bar.text)}</title></rect>',
            f'<text x="{WIDTH - VALUE_WIDTH + 8}" y="{y + BAR - 4}" fill="#1b1b1b">'
            f"{escape(bar.text)}</text>",
        ]
    bottom = TOP + max(len(shown), 1) * ROW
    parts.append(f'<line x1="{zero}" y1="{TOP - 6}" x2="{zero}" y2="{bottom}" '
                 'stroke="#888888" stroke-width="1"/>')
    if marker is not None:
        at = x(marker[0])
        parts += [f'<line x1="{at}" y1="{TOP - 10}" x2="{at}" y2="{bottom}" stroke="{MARKER}" '
                  'stroke-width="2" stroke-dasharray="5 3"/>',
                  f'<text x="{at}" y="{bottom + 18}" text-anchor="middle" fill="{MARKER}">'
                  f"{escape(marker[1])}</text>"]
    if len(bars) > MAX_BARS:
        parts.append(f'<text x="16" y="{height - 8}" fill="#555555">'
                     f"{len(bars) - MAX_BARS} more not drawn</text>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _short(label: str, limit: int = 17) -> str:
    """``label`` cut to ``limit`` units of width (a Chinese character two, a Latin letter
    one: about 8 px a unit at the chart's size), an ellipsis for what is cut."""
    width, kept = 0, list[str]()
    for character in label:
        width += 2 if unicodedata.east_asian_width(character) in "WF" else 1
        if width > limit:
            return "".join(kept) + "…"
        kept.append(character)
    return label
