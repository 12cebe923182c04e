"""What authors need before a release: the checks of ``tracker check``.

In: a ``Snapshot`` and today's date. Out: ``Problem`` values, errors and warnings.
"""
