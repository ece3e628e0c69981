"""What the measurements mean: timing statistics, roofline and roofs, CPU features, float
vs int8, the α × resolution sweep."""
