"""The live floor board."""
