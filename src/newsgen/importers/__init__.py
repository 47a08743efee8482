"""Bringing articles in: plain-text releases, Hugo and Jekyll posts, new articles."""
