"""The conversation, channel-agnostic: events in, replies out."""
