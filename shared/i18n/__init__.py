"""Per-language data (one file per language) and the loaders that read it."""
