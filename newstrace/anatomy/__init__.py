"""The anatomy of one derivative: what it borrowed (verbatim, with edits,
as quoted phrases), what it added, its boilerplate, what of each source it
left out (with the hedges, numbers, attributions and negations whose loss
changes the meaning), and whether its headline rests on what it borrowed.

- :mod:`.core`: :func:`anatomy` and its records;
- :mod:`.segments`: labelled segments that tile a text;
- :mod:`.changes`: changes inside borrowed passages, classified;
- :mod:`.boilerplate`: site furniture, by rules;
- :mod:`.lexicon`: hedges, negations, numbers, attributions, claim verbs, a stemmer;
- :mod:`.headline`: the headline check;
- :mod:`.render`: the text for the terminal.
"""

from __future__ import annotations

from .core import Anatomy, AnatomyError, AnatomySummary, SentenceUse, anatomy
from .headline import Headline
from .render import render_text

__all__ = ["Anatomy", "AnatomyError", "AnatomySummary", "Headline", "SentenceUse", "anatomy", "render_text"]
