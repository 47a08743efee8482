"""What `check` reports beyond parsing: links, missing translations."""
