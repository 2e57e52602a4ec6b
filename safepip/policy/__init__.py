"""The user's policy: safepip's configuration (ignores, trusted names, fail level, allowed
indexes, the release cooldown), the verdict it turns findings into, and the consent asked for
when the verdict is warn."""
