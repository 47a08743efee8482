"""The recipe: build() and check() as a list of stages, and their worker processes."""
