"""System health: every part green, amber or red with the reason (CLI `status`, Status view)."""
