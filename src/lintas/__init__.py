"""Lintas: cross-border cooperation against cyber-enabled financial crime."""

__version__ = "0.1.0"
