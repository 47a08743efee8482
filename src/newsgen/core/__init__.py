"""Values, settings, diagnostics, URLs and dates: what every layer uses."""
