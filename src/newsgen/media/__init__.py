"""Media stage helpers: lead photos (Pillow)."""
