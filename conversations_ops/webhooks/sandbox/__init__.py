"""The WhatsApp sandbox flow: a message to a sandbox sender builds its conversation."""
