"""The command line: thin, maps results to exit codes."""
