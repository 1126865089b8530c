"""Template tags of the subsidies app."""
