"""A hostile article and a copy of it, for the report and web app tests.

Everything an attacker controls is here: the text (HTML tags, event
handlers, a ``javascript:`` link in markdown and in HTML, a quote that tries
to break out of an attribute), the title, the outlet, the URL; plus a very
long line and right-to-left text that must still show as text.
"""

from __future__ import annotations

import datetime as dt

from newstrace.records import Document

PWN = "window.__pwned=1"
LONG = "x" * 20_000
ARABIC = "قال المتحدث باسم التحالف إن عدد المنشقين قليل جدا"
HEBREW = "הדובר אמר כי מספר העריקים קטן מאוד"

BODY = (
    f"<script>{PWN}</script> The council met on Tuesday to discuss the new budget for the harbour.\n\n"
    f'<img src=x onerror="{PWN}"> Officials said the harbour budget would rise by ten percent next year, '
    "the first rise in a decade, and that the money would go to dredging and new cranes.\n\n"
    f"Read [the full plan](javascript:{PWN}) or <a href=\"javascript:{PWN}\">click here</a>.\n\n"
    f'"><svg onload="{PWN}"> The mayor said the plan was \'fair and overdue\' and thanked the port workers.\n\n'
    f"{ARABIC}\n{HEBREW}\n\n"
    f"{LONG}\n"
)
COPY_EXTRA = "Our own note: we copied this from the council's release.\n\n"


def hostile_pair() -> tuple[Document, Document]:
    a = Document(id="evil-a", text=BODY, title=f'<script>{PWN}</script>"><img src=x onerror="{PWN}">',
                 outlet=f'<b onmouseover="{PWN}">Evil Outlet</b>', url=f"javascript:{PWN}",
                 published=dt.date(2020, 1, 1), source_path="evil-a.txt")
    b = Document(id="evil-b", text=COPY_EXTRA + BODY, title=f"Copy of '<svg onload={PWN}>'",
                 outlet="Copy Outlet", url="https://example.org/copy", published=dt.date(2020, 1, 2),
                 source_path="evil-b.txt")
    return a, b


def write_hostile_files(folder) -> list:
    """The pair as two JSON records (so title, outlet and URL come through the loader)."""
    import json

    paths = []
    for d in hostile_pair():
        p = folder / f"{d.id}.json"
        p.write_text(json.dumps({"id": d.id, "text": d.text, "title": d.title, "outlet": d.outlet, "url": d.url,
                                 "published": d.published.isoformat()}), encoding="utf-8")
        paths.append(p)
    return paths
