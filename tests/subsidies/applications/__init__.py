"""Tests of subsidies/applications/."""
