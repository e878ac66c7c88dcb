"""Regression tests of the key statistics (`report.keystats`) against `expected/<variant>.json`."""
