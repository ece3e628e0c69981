"""Makes the helpers of tests/net (TFLite files built in memory, a local HTTP server,
the LiteRT agreement check) importable from its rooms' tests."""
