"""The performance benchmark behind `manage.py bench` (see docs/performance.md).

- `dataset`: builds, finds or removes the synthetic data set (tenants whose domain starts with
  ``bench-``) with bulk inserts, and makes a sample of rows due for the sweeps.
- `measure`: times the heavy pages, API calls and sweeps in process, with their query counts.
- `load`: drives a real gunicorn server on loopback with a mixed workload.

Never run it against a database with real data: it writes thousands to millions of rows.
"""
