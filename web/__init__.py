"""The practitioners' website (SPEC §8): FastAPI routes and Jinja2 pages on the engine.

``app`` wires everything to one ``Site`` (``site``: the Manual, the clock, the search index);
``pages`` serves HTML, ``api`` JSON, ``feeds`` Atom, ``newsletters`` the newsletter section's
preview and downloads. The rules all live in ``tracker``: this package only shows them.
"""
