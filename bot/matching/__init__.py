"""Matching: from one free-text message to ranked actions, themes and emergencies."""
