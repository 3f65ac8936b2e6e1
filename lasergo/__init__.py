"""LASER-GO workbook: analyses for the photonics-for-health cluster partnership."""

__version__ = "0.1.0"
