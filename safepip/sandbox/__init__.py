"""The build cage: vetted sdists are built into wheels confined, and what they try is evidence.

`build_confined` (safepip.sandbox.cage) is the entry point; `available` (mechanisms) says what
this machine can enforce. Nothing is imported here: the rule catalogue imports
`safepip.sandbox.rules` on every run, and the cage itself is loaded only when an sdist is built.
"""
