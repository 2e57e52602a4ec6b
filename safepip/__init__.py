"""safepip: vet what `pip install` would install, before any of it runs."""

__version__ = "0.1.0"
