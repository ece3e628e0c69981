"""Every file the app writes: one atomic writer, reports and exports, animation files.

The lowest layer: it imports nothing else of the package."""
