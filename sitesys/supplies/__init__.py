"""Supplies: the site's catalogue and the quantities given out on visits."""
