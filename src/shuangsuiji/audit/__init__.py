"""audit app."""
