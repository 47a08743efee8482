"""`newsgen serve`: the preview server and the watcher that rebuilds."""
