"""Sanctions list parsers, the unified designation model and the versioned store."""
