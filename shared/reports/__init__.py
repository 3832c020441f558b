"""Reports to the shop owner (the weekly summary)."""
