"""MobileNet V1 as the paper defines it: the layers for a width multiplier and resolution,
their mult-adds and parameters, and the published figures."""
