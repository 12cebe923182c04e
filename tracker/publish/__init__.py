"""What practitioners and the newsletter editor read, from a Snapshot and today's date.

In: a ``Snapshot``, a date taken as today, and (for summaries) a summariser. Out: the
newsletter section (``newsletter`` through overridable Jinja2 ``templates``), the text and
JSON views of releases and histories (``views``), and every address the service gives out
(``urls``).
"""
