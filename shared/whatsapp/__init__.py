"""WhatsApp: webhook payload models, signature checks, the webhook itself, and sending.

Layered like pywa: `payloads` (frozen typed updates) / `signature` / `inbound` (normalised
messages) / `webhook` (store-first handling) / `graph` and `twilio_api` (raw HTTP APIs) /
`send` (channel choice, window rules, templates).
"""
