"""Entry point: ``python -m sample_job``."""

from .job import main

main()
