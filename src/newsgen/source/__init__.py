"""Reading content: files, front matter, fields, slugs, shortcodes and vocabularies into articles."""
