"""Pure-Python engines (draw, matching, Merkle trees, RFC 3797, working-day calendar).

Nothing in this package may import Django: it is used by the web app, the `ssj` CLI and the
benchmarks alike, and can be audited and run on its own.
"""
