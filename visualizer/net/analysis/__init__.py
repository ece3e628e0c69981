"""What the measurements mean: timing statistics, roofline and roofs (and where each
layer sits against them), other programs' CPU use while timing, CPU features, float vs
int8, the α × resolution sweep."""
