"""Normalisation of enterprise names and search input for the public result search.

Chinese names have no word boundaries, so the search matches fragments: on PostgreSQL through a pg_trgm GIN
index on ``name_search``, on SQLite through an FTS5 table with the trigram tokenizer (both need ≥ 3
characters; shorter fragments fall back to an ordered scan, see ``selectors_results``).
"""

from __future__ import annotations

import re
import unicodedata

from shuangsuiji.core.uscc import is_valid_uscc, normalize_uscc

_SPACES = re.compile(r"\s+")
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
_CODE_QUERY = re.compile(r"^[0-9A-Z]{18}$")
MIN_FRAGMENT = 2
MAX_QUERY = 60


def normalize_name(value: str) -> str:
    """Full-width to half-width (NFKC), lower case, without spaces: what the name index holds."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", value)).lower()


def looks_like_uscc(value: str) -> bool:
    candidate = normalize_uscc(value)
    return bool(_USCC_SHAPE.match(candidate)) and is_valid_uscc(candidate)


def uscc_query(value: str) -> str | None:
    """The code to match exactly when the input is 18 letters/digits (even with a wrong check digit)."""
    code = normalize_uscc(value)
    return code if _CODE_QUERY.match(code) else None


def fts5_phrase(fragment: str) -> str:
    """A fragment as one FTS5 phrase (double quotes doubled)."""
    return '"' + fragment.replace('"', '""') + '"'
