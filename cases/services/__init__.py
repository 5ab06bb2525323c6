"""Writes of the cases domain, split by sub-domain: lifecycle, notifications, sweeps."""
