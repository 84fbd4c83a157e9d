"""Hanout's composition root: settings, the console script and process wiring."""
