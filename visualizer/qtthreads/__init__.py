"""Qt thread helpers that frame sources (video/) and the window (ui/) both use: a
cancellable Task, and letting a running thread go without destroying it (detach)."""
