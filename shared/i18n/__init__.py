"""Per-language data (message catalog, sheet words) for en, es, pt, fr, id and hi."""
