"""pip's side of safepip: the request grammar (options, requirements files, pip's configuration,
dependency groups) read once into an `InstallRequest`, and the handoff that lets real pip install
the vetted files (the waiting pip process included)."""
