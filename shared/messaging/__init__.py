"""Messages and who sent them: the layer below both the WhatsApp channels and the conversation engine."""
