"""ctai-bot: guide refugees and newcomers to the CTAI's local integration services."""
