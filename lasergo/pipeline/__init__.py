"""The report run: notebooks executed with Papermill for a quarter, rendered to HTML with
nbconvert, indexed, and published in one swap with a manifest.

``notebooks`` (which notebooks, their parameters and kernel), ``render`` (HTML pages and index
templates), ``manifest`` (what a published quarter records), ``indexes``, ``publish`` and ``run``
(:func:`lasergo.pipeline.run.build_reports`).
"""
