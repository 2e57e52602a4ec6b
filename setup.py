"""Packaging glue that pyproject.toml cannot say: the data files live in the repository's top-level
`data/` folder (where the layout puts them) and ship inside the wheel as `safepip.data`."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["safepip", "safepip.*"]), "safepip.data"],
    package_dir={"safepip.data": "data"},
    package_data={"safepip": ["py.typed"], "safepip.data": ["*.json"]},
)
