"""Tests of subsidies/catalogue/."""
