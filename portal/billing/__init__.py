"""Scheduled billing: billing dates, and the run that bills what is due."""
