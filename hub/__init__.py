"""The benchmarking hub: one place where forces publish their signed packs and pull their peers'."""
