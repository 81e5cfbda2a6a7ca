"""The command line, on the top floor: it assembles every layer's commands into one app.
Nothing in ``recommender``, ``api`` or ``evaluation`` imports it."""
