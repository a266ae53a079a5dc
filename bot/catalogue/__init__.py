"""The catalogue: plain data about a territory's integration services, loaded from YAML."""
