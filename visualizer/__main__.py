from visualizer.app import main

raise SystemExit(main())
