"""The one table of German month names, written out and abbreviated, with their numbers.

Keys are lower case. ``MONTH_NAMES`` is a regex alternation of them for patterns compiled with
``re.IGNORECASE``; ``CAPITALISED_MONTH_NAMES`` spells them as they stand in prose ("März",
"Jänner") for case-sensitive patterns. Both put longer names first, so that "Sept" is not read
as "Sep" followed by a "t".
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

MONTHS: Final = MappingProxyType(
    {
        "januar": 1, "jänner": 1, "jan": 1, "februar": 2, "feb": 2, "märz": 3, "maerz": 3, "mär": 3,
        "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
        "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
        "dezember": 12, "dez": 12,
    }
)  # fmt: skip

_LONGEST_FIRST = sorted(MONTHS, key=len, reverse=True)
MONTH_NAMES: Final = "|".join(_LONGEST_FIRST)
CAPITALISED_MONTH_NAMES: Final = "|".join(name.capitalize() for name in _LONGEST_FIRST)
