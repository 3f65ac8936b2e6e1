"""Timing and memory benchmarks of the workbook (`make bench`); each prints measured / budget."""
