"""Resource providers of the emulator, one package each: models.py (state), responses.py
(request -> response, per api-version shapes) and urls.py (``ROUTES: list[Route]``)."""
