"""Rendering: templates, Markdown, article bodies and what each page's template sees."""
