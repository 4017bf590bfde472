"""`python -m storage migrate | stats [--db URL]`."""

from storage.cli import main

raise SystemExit(main())
