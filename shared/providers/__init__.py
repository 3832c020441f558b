"""LLM providers behind one small interface, and the router that chooses between them."""
