"""Pages from templates: one Jinja2 environment with autoescaping on.

Article text only ever reaches a template as data (runs, titles, metadata)
and is escaped there; no template marks it safe. The one stylesheet and the
one script are package data, inlined into every page so that a report opens
from disk with no network; the script's hash goes into the page's
Content-Security-Policy, so no other script (an inline handler smuggled in
through a bug, say) would run.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from importlib import resources
from typing import Any

from markupsafe import Markup


@functools.cache
def static_text(name: str) -> str:
    """``report.css`` or ``report.js`` from the package."""
    if name not in ("report.css", "report.js"):
        raise ValueError(f"no static file {name!r}")
    return resources.files("newstrace.report").joinpath("static", name).read_text(encoding="utf-8")


@functools.cache
def script_hash() -> str:
    digest = hashlib.sha256(static_text("report.js").encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def content_security_policy(*, header: bool = False) -> str:
    """Scripts: only ours, by hash; no network fetches, no forms sent elsewhere
    (``frame-ancestors`` works only as a header, so a file's meta tag leaves it out)."""
    csp = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
           f"script-src '{script_hash()}'; form-action 'self'; base-uri 'none'")
    return csp + "; frame-ancestors 'none'" if header else csp


@functools.cache
def environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("newstrace.report", "templates"),
                      autoescape=select_autoescape(["html", "htm", "svg"], default_for_string=True, default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda v, d=0: f"{100 * (v or 0):.{d}f}%"
    env.filters["thousands"] = lambda v: f"{v:,}"
    return env


def render(template: str, *, offline: bool = True, **context: Any) -> str:
    """Render a page; ``offline`` puts the CSP in a meta tag (a file has no headers)."""
    env = environment()
    return env.get_template(template).render(
        css=Markup(static_text("report.css")), js=Markup(static_text("report.js")),
        csp=content_security_policy() if offline else None, **context)
