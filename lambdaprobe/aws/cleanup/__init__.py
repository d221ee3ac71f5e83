"""Finding and deleting leftovers of earlier runs, by name prefix and tag."""
