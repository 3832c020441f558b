"""Code shared by the Cloud Functions: one package, bundled into each function's upload."""
