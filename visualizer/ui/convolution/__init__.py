"""The Convolution tab: one layer convolved step by step, with live multiplication tallies."""

# A tab package never imports another tab package (import-linter checks it).
