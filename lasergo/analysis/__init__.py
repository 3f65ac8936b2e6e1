"""One module per analysis: pure computation on a validated Dataset and the reference tables,
returning dataclasses or DataFrames with documented columns. No charts, no page prose."""
