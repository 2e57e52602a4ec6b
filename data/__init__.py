"""The name-check data (built by scripts/build_data.py), shipped inside the wheel as safepip.data."""
