"""Text and data that came from outside Harbour (a bundle, a pack, a URL, a hub), made safe to write or
walk: the one low module that the loader's reports, the table downloads and the request guards share.

It imports nothing of Harbour's, so that every layer may use it.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qsl

# OWASP's rule for CSV injection: a text cell that a spreadsheet would run as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def parse_search(search: str | None) -> dict[str, str]:
    """A URL's query string (``?force=A&sex=F``, or without the ``?``) as a dict of its text, untrusted still: the
    one parser of it, for the dashboard and the hub alike."""
    return dict(parse_qsl((search or "").lstrip("?")))


def loopback(host: str) -> bool:
    """Whether a host name or address (from a URL, a --host) is this machine's own: localhost or a loopback IP."""

    if str(host).strip("[]") == "localhost":
        return True
    try:
        return ipaddress.ip_address(str(host).strip("[]")).is_loopback
    except ValueError:
        return False


def neutralise(value) -> str:
    """A text cell made safe: one that starts like a formula gets an apostrophe in front."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def depth(node, stop_above: int | None = None) -> int:
    """How deeply parsed JSON ``node`` nests, without recursion; it stops counting once past ``stop_above``."""
    deepest, stack = 0, [(node, 0)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if stop_above is not None and deepest > stop_above:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def visible_controls(value) -> str:
    """Text with its C0 control characters (but tab, line feed and carriage return) and DEL shown as Unicode's
    control pictures (ESC as U+241B): a spreadsheet cell cannot hold them (openpyxl refuses the whole file), and a
    reader of an audit log should see them rather than lose them."""
    text = "" if value is None else str(value)
    if not any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return text
    return "".join(
        chr(0x2400 + ord(ch)) if ord(ch) < 32 and ch not in "\t\n\r" else "\u2421" if ord(ch) == 127 else ch
        for ch in text
    )


def terminal_text(value) -> str:
    """Any text a command prints, made safe for a terminal: every control and unprintable character but the line
    break and the tab replaced by '?', so that an escape sequence in a name (ESC [8m hides the rest of the line;
    OSC sequences retitle windows or forge links) is shown, never obeyed."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in "\n\t" else "?" for ch in text)


def printable(value, most: int = 200) -> str:
    """Text from outside fit for a terminal or a log line: control characters (escape sequences among them, C0,
    DEL and C1) and other unprintable characters replaced by '?', and cut to ``most`` characters."""
    text = "" if value is None else str(value)
    return "".join(ch if ch.isprintable() else "?" for ch in text[:most])
