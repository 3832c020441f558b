"""The catalog: interpreting sheet cells, validating rows, diffing, availability and freshness."""
