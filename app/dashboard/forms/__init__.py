"""Dashboard forms: path-named boundaries sections (``editor``) and small Flask-WTF forms."""
