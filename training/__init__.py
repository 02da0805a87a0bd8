"""Offline model building for the assistant (not part of the runtime package): `python -m training`."""
