"""The Live tab: a camera, video or images classified live, with per-layer timing."""

# A tab package never imports another tab package (import-linter checks it).
