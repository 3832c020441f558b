"""Conversations: the store, intent, catalog retrieval, context, replies, grounding and the worker."""
