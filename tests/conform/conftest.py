"""The throwaway-venv fixtures of the integration tests, shared here."""

from tests.integration.conftest import lent_pip, make_venv, pip_env, pip_home

__all__ = ["lent_pip", "make_venv", "pip_env", "pip_home"]
