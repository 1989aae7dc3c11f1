"""Analyses over the IR: types, activity, to-be-recorded values."""
