"""MetricFlow's semantic layer in ours: the imported definitions (spec), the importer that reads
them with dbt-semantic-interfaces, and the compiler of MetricFlow-style queries."""
