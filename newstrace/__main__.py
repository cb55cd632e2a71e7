"""``python -m newstrace``: the same as the ``newstrace`` command."""

from .cli import main

main()
