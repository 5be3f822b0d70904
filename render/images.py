"""Charts rendered on the server by Kaleido (headless Chromium), in the same theme as on screen.

The renderer starts once per process; after that an image takes well under a second.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import textwrap
import threading
import warnings

import plotly.io as pio  # slow import: only where an image is drawn

from harbour.views import theme
from harbour.views.format import plotly_text

WIDTH, HEIGHT, SCALE = 1280, 720, 1.5  # 1920 x 1080 pixels, with type sized for the back of a hall
_lock = threading.Lock()
# Kaleido's one sync server answers one image at a time: two threads drawing at once could each get the other's
# image (a person's 1920-pixel chart arrived as the 64-pixel image of the warm-up, drawn at the same moment).
_drawing = threading.Lock()
_started = False


class NoBrowser(RuntimeError):
    """No Chromium to draw with: said in one line, at once (Kaleido, left to look, waited 15 minutes here)."""


def browser() -> str:
    """The Chromium-based browser Kaleido will draw with: BROWSER_PATH where it is set, else one on the PATH or in
    the usual places; NoBrowser, saying what to do, where there is none that runs."""
    from choreographer.browsers.chromium import Chromium

    named = os.environ.get("BROWSER_PATH")
    found = named or shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    found = found or Chromium.find_browser(skip_local=False)
    if not found or not os.path.isfile(found) or not os.access(found, os.X_OK):
        where = f"BROWSER_PATH names {found!r}, which is not a program here" if named else "none was found"
        raise NoBrowser(
            f"Charts are drawn as images by a Chromium-based browser, and {where}: install Chromium "
            "(on Debian: apt install chromium) or set BROWSER_PATH to one."
        )
    return found


def _start() -> None:
    global _started
    with _lock:
        if _started:
            return
        os.environ["BROWSER_PATH"] = browser()
        import kaleido  # slow import (it finds a browser): only where an image is drawn
        import plotly.io as pio  # slow import: only where an image is drawn

        pio.defaults.mathjax = None  # no MathJax: each image would otherwise wait for it
        kaleido.start_sync_server(silence_warnings=True)
        _started = True


def start_in_background() -> None:
    """Start Kaleido's browser now, behind the server, and draw one tiny image: the first chart a person downloads
    is then as quick as the rest (it took 7 s, the browser's start, when Kaleido started on demand)."""

    def start():
        try:
            _start()
            render({"data": [{"type": "bar", "x": [1], "y": [1]}], "layout": {}}, "png", 64, 64, 1)
        except Exception:  # noqa: BLE001 - no browser here: images start on demand, and say so then
            pass

    threading.Thread(target=start, daemon=True, name="harbour-kaleido-start").start()


def presentable(
    figure: dict,
    title: str | None,
    synthetic: bool,
    source: str | None = None,
    font_size: int = 20,
    marking: str | None = None,
) -> dict:
    """The on-screen figure with a title, larger type, the synthetic label where it applies, and the
    protective marking of exact figures."""
    fig = copy.deepcopy(theme.labels_at_least(figure, font_size - 4))
    layout = fig["layout"]
    layout["font"] = {**layout.get("font", {}), "size": font_size}
    layout.pop("height", None)
    # A long vertical axis title in two lines: at a slide's height one line ran off the canvas.
    for name in [k for k in layout if k.startswith("yaxis")]:
        axis_title = (layout[name].get("title") or {}).get("text") or ""
        if len(axis_title) > 30 and "<br>" not in axis_title:
            lines_ = _wrap(axis_title, max(len(axis_title) // 2 + 1, 20))
            layout[name] = {
                **layout[name],
                "title": {
                    **layout[name]["title"],
                    "text": "<br>".join(lines_[:2] + ([" ".join(lines_[2:])] if len(lines_) > 2 else [])),
                },
            }
    title_lines = []
    if title:
        # Broken between words to fit the image's width (1280 px at the title's size), never cut at its edge.
        title_lines = _wrap(plotly_text(title), int(WIDTH / ((font_size + 6) * 0.55)))
        layout["title"] = {
            "text": "<br>".join(title_lines),
            "x": 0.01,
            "xanchor": "left",
            "y": 0.98,
            "yanchor": "top",
            "yref": "container",
            "pad": {"t": 8},
            "font": {"size": font_size + 6},
        }
    notes = []
    if marking:
        notes.append(f"<b>{marking}</b>")
    if synthetic:
        notes.append("<b>Synthetic demonstration data</b>: generated, not real")
    if source:
        notes.append(plotly_text(_unbroken(source)))  # the scope names forces: untrusted text
    lines = _wrap(" · ".join(notes), 110 * 20 // font_size) if notes else []
    line_height = round((font_size - 4) * 1.35)
    axis_room = round(font_size * 3.6)  # tick labels and the axis title under the plot
    # The title's lines from the top, then the legend's row above the plot.
    top = 50 + (round((font_size + 6) * 1.3) * len(title_lines) + 10 if title else 0)
    layout["margin"] = {"l": 90, "r": 30, "t": top, "b": axis_room + line_height * len(lines) + 14}
    if lines:
        # Pinned in pixels under the axis, inside the bottom margin: the footer never leaves the canvas.
        layout.setdefault("annotations", [])
        layout["annotations"] = list(layout["annotations"]) + [
            {
                "text": "<br>".join(lines),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "xanchor": "left",
                "yanchor": "top",
                "yshift": -axis_room,
                "align": "left",
                "showarrow": False,
                "font": {"size": font_size - 4, "color": theme.INK},
            }
        ]
    return fig


def _unbroken(source: str) -> str:
    """The scope with its force's name and its dates held together by no-break spaces, so that a wrapped footer
    never breaks 'Elmshire / Constabulary' or '1 / August 2017'."""

    head, sep, tail = source.partition(": ")
    if sep and len(head) <= 45:
        source = head.replace(" ", "\u00a0") + sep + tail
    return re.sub(r"\b(\d{1,2}) ([A-Z][a-z]+) (\d{4})\b", "\\1\u00a0\\2\u00a0\\3", source)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, broken between words (the text is already escaped)."""

    return textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False) or [text]


def render(figure: dict, fmt: str = "png", width: int = WIDTH, height: int = HEIGHT, scale: float = SCALE) -> bytes:
    _start()

    with _drawing, warnings.catch_warnings():
        # plotly passes renderer options that a running Kaleido server ignores, and warns each time.
        warnings.simplefilter("ignore", UserWarning)
        return pio.to_image(figure, format=fmt, width=width, height=height, scale=scale if fmt == "png" else 1)
