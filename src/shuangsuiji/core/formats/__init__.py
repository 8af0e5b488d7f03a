"""File formats of the draw and match inputs and records, read from bytes and written to bytes (pure Python).

The ``ssj`` CLI reads a file and hands its bytes here; the web app hands the bytes it stored or built. Both get
the same objects and the same Chinese errors (``FormatError``), and nothing goes through a temporary file.

- ``text``: decoding (UTF-8 with or without BOM, GBK), CSV rows with a header check, JSON objects, canonical
  JSON bytes;
- ``match``: the six input files of ``ssj match`` (targets, inspectors, conflicts, history, adjacency CSV and
  params JSON) to ``MatchInputs`` and back, and the match record JSON.

The draw pool CSV is read and written by ``core.draw`` (``read_pool_bytes``, ``pool_csv_bytes``), the public
draw record by ``core.draw.public``.
"""

from shuangsuiji.core.formats.text import FormatError

__all__ = ["FormatError"]
