"""Slot extractors: patterns pulled out before tokenising, and vocabulary-driven slots."""
