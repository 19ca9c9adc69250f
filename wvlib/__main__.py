from wvlib.cli import main

raise SystemExit(main())
