"""Sample AWS Batch job: aggregates CSV records per group and writes a JSON or CSV summary."""

__version__ = "1.0.0"
