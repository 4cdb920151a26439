"""GB/T 2260 administrative division codes."""

from __future__ import annotations


def region_prefix(region: str) -> str:
    """The prefix shared by every code inside ``region``: 120000 → "12" (province), 450100 →
    "4501" (city), 450103 → "450103" (county). Non-digits are ignored; at most six digits count."""
    digits = "".join(ch for ch in region if ch.isdigit())[:6]
    if len(digits) == 6:
        if digits.endswith("0000"):
            return digits[:2]
        if digits.endswith("00"):
            return digits[:4]
    return digits
