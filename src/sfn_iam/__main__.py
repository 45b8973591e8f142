from sfn_iam.cli import main

raise SystemExit(main())
