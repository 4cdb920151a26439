"""What a web process does once, after Django is set up and before its first request.

``freeze_heap`` imports every view module (through the URLconf) and then moves everything
allocated so far into the garbage collector's permanent generation (``gc.freeze``). Those
~200,000 objects (modules, classes, functions, settings, translations) live as long as the
process; left in the collected generations, every full collection traversed them all: a pause of
about 100 ms, measured as the slowest staff-inbox request in a hundred (bench/bench_inbox.py);
8 ms after freezing. Freezing after a fork also keeps the pages shared with the parent copy on
write (the collector no longer writes to the frozen objects' headers).
"""

from __future__ import annotations

import gc


def freeze_heap() -> int:
    """Import the URLconf's views, collect once, freeze; the number of objects frozen."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view module)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
