"""`python -m assistant` runs the `briefing` command line."""

from assistant.surfaces.cli import main

raise SystemExit(main())
