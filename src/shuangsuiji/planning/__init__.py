"""planning app."""
