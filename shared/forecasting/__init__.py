"""Stock depletion and slot fill forecasts from the histories that polls record."""
