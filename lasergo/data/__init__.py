"""Everything about tables: the reader, the schemas, the reference tables, the validated
Dataset of a data folder, and the synthetic sample generator."""
