"""Track changes (SPEC §6): two versions of a chapter -> what a practitioner sees changed.

In: two Markdown texts. Out: a ``DocumentDiff`` and its views (accessible HTML, terminal
text, JSON) with a plain-English summary. The stages: ``chunks`` cuts the source, ``blocks``
renders and sanitises each chunk and ``tree`` cuts it into blocks of ``text`` (tokens read as
a browser shows them), ``align`` pairs blocks, ``wordiff`` marks words, ``compare`` assembles
the diff, ``summary`` says it in words, ``views`` and ``textviews`` show it. ``cache`` holds
the ``Differ``, which a server shares: views cached by blob pair.
"""
