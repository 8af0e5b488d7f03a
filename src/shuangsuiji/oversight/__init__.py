"""oversight app."""
