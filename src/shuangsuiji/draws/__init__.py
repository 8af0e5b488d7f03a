"""draws app."""
