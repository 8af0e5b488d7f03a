"""Normalisation of enterprise names and search input for the public result search.

Chinese names have no word boundaries, so the search matches fragments (n-grams), never words:
* fragments of ≥ 3 characters: pg_trgm GIN index on ``name_search`` (PostgreSQL), FTS5 trigram table (SQLite);
* 2-character fragments (common in Chinese: 宾馆, 诊所, 莲池): trigram indexes cannot serve them, so every
  name also stores its distinct character bigrams (``name_bigrams``, space separated) with a GIN index on
  ``string_to_array(name_bigrams, ' ')`` (PostgreSQL) or an FTS5 unicode61 table (SQLite);
* 1 character is refused (it would match most names).
Every index hit is re-checked with ``LIKE`` on ``name_search``.
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


def bigrams(normalized: str) -> str:
    """Distinct adjacent pairs of letters/digits/CJK characters, space separated (what the bigram index holds)."""
    seen: dict[str, None] = {}
    for a, b in zip(normalized, normalized[1:], strict=False):
        if a.isalnum() and b.isalnum():
            seen.setdefault(a + b, None)
    return " ".join(seen)


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
