"""Per-language data (message catalog, sheet words) and their loaders."""
