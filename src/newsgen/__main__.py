"""Allow ``python -m newsgen``."""

from newsgen.cli.main import main

main()
