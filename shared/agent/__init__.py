"""The LLM agent: a model answers the customer by calling tools over live data, within the
offline pipeline's rules, and its words reach the customer only when every fact is grounded."""
