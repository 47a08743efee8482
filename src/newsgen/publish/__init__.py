"""The output folder: staging, search bundles and publishing all at once."""
