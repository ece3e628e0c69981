"""What two or more tabs use: background tasks, plot helpers, style and colours, painted text."""
