"""Broadcasts: one approved template to a segment of customers, paced, resumable, counted."""
