"""Reports: the indicators of one site or a network over a run of local days, their small-cell
suppression for publication, exports and charts.
"""
