"""The Network tab: MobileNet V1 layer by layer, theoretical cost beside measured time."""

# A tab package never imports another tab package (import-linter checks it).
