"""The site as a whole: the index of terms and dates, and the plan of every page."""
