"""Launch MobileNet Visualizer (the window, or a headless command: see --help)."""
from visualizer.app import main

if __name__ == "__main__":
    raise SystemExit(main())
