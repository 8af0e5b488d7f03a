"""common app."""
