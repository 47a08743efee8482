"""The build cache and every decision to reuse earlier work."""
