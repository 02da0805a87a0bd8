"""`python -m assistant` runs the `briefing` command line."""

from assistant.cli import main

raise SystemExit(main())
