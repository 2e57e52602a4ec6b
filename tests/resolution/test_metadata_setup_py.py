"""setup.py read through `ast`: which shapes count as literal, and why the others do not."""

from __future__ import annotations

from typing import Any

import pytest

from safepip.resolution.setup_py import NotStatic, read_setup_py

HEAD = "from setuptools import setup\n"


@pytest.mark.parametrize(("body", "install", "extras", "python"), [
    ("setup(install_requires=['a', 'b>=1'])", ["a", "b>=1"], None, None),
    ("setup(install_requires=('a',), python_requires='>=3.8')", ("a",), None, ">=3.8"),
    ("setup(install_requires='a\\nb  # note\\n# c')", "a\nb  # note\n# c", None, None),
    ("A = ['a']\nB = A + ['b']\nsetup(install_requires=B)", ["a", "b"], None, None),
    ("E = {'x': ['y']}\nsetup(extras_require=E)", None, {"x": ["y"]}, None),
    ("KW = dict()\nsetup(name='n')", None, None, None),
    ("ARGS = {'install_requires': ['k']}\nsetup(**ARGS)", ["k"], None, None),
    ("def main():\n    setup(install_requires=['in-function'])\nmain()",
     ["in-function"], None, None),
    ("if __name__ == '__main__':\n    setup(install_requires=['guarded'])",
     ["guarded"], None, None),
])
def test_literal_shapes_are_read(body: str, install: Any, extras: Any, python: Any) -> None:
    args = read_setup_py((HEAD + body + "\n").encode(), "setup.py")
    assert (args.install_requires, args.extras_require, args.python_requires) == (
        install, extras, python)


@pytest.mark.parametrize(("source", "reason"), [
    (HEAD + "setup(install_requires=[r for r in ['a']])", "ListComp expression is computed"),
    (HEAD + "R = ['a']\nR += ['b']\nsetup(install_requires=R)", "'R' is not a module-level"),
    (HEAD + "R = ['a']\nR[0] = 'evil'\nsetup(install_requires=R)", "'R' is not a module-level"),
    (HEAD + "R = ['a']\nS = R\nS.append('b')\nsetup(install_requires=R)", "'R' is not"),
    (HEAD + "def f(R):\n    return R\nR = ['a']\nsetup(install_requires=R)", "'R' is not"),
    (HEAD + "from reqs import R\nsetup(install_requires=R)", "'R' is not a module-level"),
    (HEAD + "setup(install_requires=UNDEFINED)", "'UNDEFINED' is not a module-level"),
    (HEAD + "import sys\nif sys.argv:\n    R = ['a']\nsetup(install_requires=R)", "'R' is not"),
    (HEAD + "setup(install_requires=['a'] + 'b')", "'+' of list and str"),
    (HEAD + "setup(install_requires=[f'a{1}'])", "JoinedStr expression is computed"),
    (HEAD + "setup(install_requires=[*['a']])", "Starred expression is computed"),
    (HEAD + "K = {'install_requires': ['a'], **{}}\nsetup(**K)", "dict unpacking"),
    (HEAD + "setup(**K())", "Call expression is computed"),
    (HEAD + "exec(open('v.py').read())\nsetup(install_requires=['a'])", "calls exec()"),
    (HEAD + "setup(install_requires=['a'])\nsetup(install_requires=['b'])", "2 setup() calls"),
    (HEAD + "def setup(**kw):\n    pass\nsetup(install_requires=['a'])", "rebound or wrapped"),
    ("from mytools import setup\nsetup(install_requires=['a'])", "rebound or wrapped"),
    ("import setuptools\nsetuptools.setup(install_requires=open('r').readlines())", "Call"),
    ("x = (\n", "does not parse"),
    (HEAD + "A = ['a']\nB = A + A\nC = B + B\nD = C + C\nE = D + D\nF = E + E\nG = F + F\n"
     "H = G + G\nI = H + H\nJ = I + I\nK = J + J\nL = K + K\nM = L + L\nN = M + M\n"
     "setup(install_requires=N)", "too deeply nested or too large"),
])
def test_computed_shapes_are_refused_with_a_reason(source: str, reason: str) -> None:
    with pytest.raises(NotStatic) as info:
        read_setup_py(source.encode(), "setup.py")
    assert reason in str(info.value)


def test_attribute_form_of_setup_is_recognised() -> None:
    args = read_setup_py(b"import setuptools\nsetuptools.setup(install_requires=['a'])\n", "s")
    assert args.install_requires == ["a"]


def test_source_encoding_cookie_is_honoured() -> None:
    source = "# -*- coding: latin-1 -*-\n" + HEAD + "setup(install_requires=['caf\xe9'])\n"
    args = read_setup_py(source.encode("latin-1"), "setup.py")
    assert args.install_requires == ["caf\xe9"]
